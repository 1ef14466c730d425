import { check, lost } from '@epl/check';
import { step, viewOf } from '@epl/executor/testing';
import type { Program, RunResult } from '@epl/program';
import { errorText, failureText, scenarioText, truncationText } from '../src/scenario';
import type { Scenario } from '../src/scenario';
import { OUT, shutRd } from './fixtures';

function run(program: Program, r: RunResult, errorOp = -1): Scenario {
  const view = viewOf(r, errorOp);
  return { file: program.file, program, family: 'tcp', outcome: check(program, view), view, attempts: 1 };
}

describe('failureText / errorText', () => {
  it('locates, quotes, gives expected and got, and the transcript up to the step', () => {
    const { source, program, result: r } = shutRd();
    const steps = [...r.steps];
    steps[7] = step({ ret: 1, bytes: Uint8Array.of(0x62) });
    const s = run(program, { ...r, steps });
    expect(failureText(s, s.outcome.failures[0], source)).toBe(
      [
        'founding.epl:10:1: scenario "founding": => expectation failed',
        '  read 5 1 => ""',
        '  ^',
        '  expected: => ""',
        '  got:      => "b"',
        '  transcript:',
        '    tcp(5<fd 20>, 6<fd 22>)                 = 0',
        '      5 > 6 [S]',
        '      6 > 5 [S.]',
        '      5 > 6 [.]',
        '    epoll_create1(0)                        = 3<fd 23>',
        '    epoll_ctl(3, EPOLL_CTL_ADD, 5, {IN|OUT|ERR|HUP|RDHUP, data=5}) = 0',
        '    epoll_ctl(3, EPOLL_CTL_ADD, 6, {IN|OUT|ERR|HUP|RDHUP, data=6}) = 0',
        '    epoll_wait(3, {5: OUT, 6: OUT}, 64, 0)  = 2',
        '    shutdown(5, SHUT_RD)                    = 0',
        '    epoll_wait(3, {5: IN|OUT|RDHUP, 6: OUT}, 64, 0) = 2',
        '    read(5, "b", 1)                         = 1',
        '',
      ].join('\n'),
    );
  });

  it('an error names the step that did not complete, and shows what ran', () => {
    const { program, result: r } = shutRd();
    const s = run(program, { ...r, steps: r.steps.slice(0, 2), error: 'malformed program: op 2 (add): …' }, 2);
    const text = errorText(s);
    expect(text.split('\n')[0]).toBe('founding.epl:4:1: scenario "founding": error: malformed program: op 2 (add): …');
    expect(text).toContain('epoll_create1(0)');
  });

  it('a lost scenario says so, with why', () => {
    const { program } = shutRd();
    const s: Scenario = { file: program.file, program, family: 'unix', outcome: lost(program, 'the worker died'), attempts: 1 };
    expect(errorText(s)).toBe('founding.epl: scenario "founding" [unix]: lost: the worker died\n');
  });
});

describe('scenarioText', () => {
  it('is every failure, then the error, separated by a blank line', () => {
    const { source, program, result: r } = shutRd();
    const steps = [...r.steps];
    steps[4] = step({ ret: 1, ready: [{ slot: 0, events: OUT }] });
    steps[7] = step({ ret: 1, bytes: Uint8Array.of(0x62) });
    const s = run(program, { ...r, steps: steps.slice(0, 10), error: 'executor failed: out of memory' });
    expect(s.outcome.failures.map((f) => f.line)).toEqual([6, 10]);
    const [a, b] = s.outcome.failures.map((f) => failureText(s, f, source).trimEnd());
    expect(scenarioText(s, source)).toBe(`${a}\n\n${b}\n\n${errorText(s).trimEnd()}`);
  });

  it('is empty for a scenario that passed', () => {
    const { source, program, result: r } = shutRd();
    expect(scenarioText(run(program, r), source)).toBe('');
  });
});

describe('truncationText', () => {
  it('says what the run could not keep, and nothing when it kept everything', () => {
    const { program, result: r } = shutRd();
    expect(truncationText(run(program, r).outcome)).toBeUndefined();
    expect(truncationText(run(program, { ...r, bytesDropped: 12 }).outcome)).toBe("12 bytes read were not kept (past the run's limit on recorded bytes)");
  });
});
