import { ProgramBuilder } from '@epl/program';
import type { StepResult } from '@epl/program';
import { check } from '../src/check';
import { familyDifferences, formatError, formatFailure, formatFailures, stepText, toRecord } from '../src/report';
import type { ScenarioReport } from '../src/report';
import { shutRd } from './fixtures';
import { IN, OUT, RDHUP, result, step } from './helpers';

function report(program = shutRd().program, r = shutRd().result, family: ScenarioReport['family'] = 'tcp'): ScenarioReport {
  const c = check(program, r);
  return { file: program.file, title: program.title, index: program.index, family, program, result: { ...r, family }, check: c, pass: c.pass, attempts: 1 };
}

describe('toRecord', () => {
  it('gives the documented fields, statement text from the source', () => {
    const { source } = shutRd();
    const rec = toRecord(report(), source);
    expect(Object.keys(rec)).toEqual(['file', 'title', 'family', 'kernel', 'netns', 'wire', 'pass', 'attempts', 'names', 'steps']);
    expect(rec.names).toEqual(['5', '6', '3']);
    expect(rec.attempts).toBe(1);
    expect(rec.steps).toHaveLength(12);
    expect(rec.steps[0]).toEqual({
      line: 2,
      col: 1,
      op: 'tcp 5 6',
      setup: false,
      result: 0,
      fds: { '5': 20, '6': 22 },
      wire: [
        { src: '5', dst: '6', flags: 'S', len: 0 },
        { src: '6', dst: '5', flags: 'S.', len: 0 },
        { src: '5', dst: '6', flags: '.', len: 0 },
      ],
      got: 'ok',
      pass: true,
    });
    expect(rec.steps[4]).toMatchObject({
      op: 'wait',
      result: 2,
      ready: [
        { name: '5', events: 'OUT' },
        { name: '6', events: 'OUT' },
      ],
      expect: '5: OUT, 6: OUT',
      pass: true,
    });
    expect(rec.steps[9]).toMatchObject({ op: 'read 5 1', bytes: 'a', got: '"a"' });
  });

  it('marks the steps of the setup', () => {
    const { program, result: r } = shutRd();
    const withSetup = { ...program, steps: program.steps.map((s, i) => ({ ...s, setup: i < 5 })) };
    expect(toRecord(report(withSetup, r)).steps.map((s) => s.setup)).toEqual([true, true, true, true, true, false, false, false, false, false, false, false]);
  });

  it('reports errno names, errors, and unchecked wire', () => {
    const p = new ProgramBuilder('e.epl', 'e')
      .op('pipe', ['r', 'w'])
      .op('read', ['r', 1], { wire: { kind: 'none' } })
      .op('close', ['r'])
      .build();
    const r = result([step({ fds: [3, 4] }), step({ ret: -1, errno: 11 })], { captured: false, error: 'boom' });
    const rec = toRecord(report(p, r));
    expect(rec.pass).toBe(false);
    expect(rec.error).toBe('boom');
    expect(rec.wire).toEqual({ captured: false, reason: 'no CAP_NET_RAW' });
    expect(rec.steps[1]).toMatchObject({ op: 'read r 1', result: 'EAGAIN', wireExpect: 'none', wireChecked: false, pass: true });
    expect(rec.steps[1]).not.toHaveProperty('wire');
  });

  it('carries the attempts, and for a pass after a failure the first failure text', () => {
    const { source } = shutRd();
    const flaky = { attempts: 2, firstFailure: 'founding.epl:14:1: …', failures: [] };
    const rec = toRecord({ ...report(), attempts: 2, flaky }, source);
    expect(rec.attempts).toBe(2);
    // The structured failures stay in the report; the record has the text.
    expect(rec.flaky).toEqual({ attempts: 2, firstFailure: 'founding.epl:14:1: …' });
    expect((JSON.parse(JSON.stringify(rec)) as typeof rec).flaky).toEqual(rec.flaky);
    expect(toRecord({ ...report(), attempts: 3 }, source)).not.toHaveProperty('flaky');
  });
});

describe('stepText', () => {
  it('rebuilds a statement when there is no source', () => {
    const p = new ProgramBuilder()
      .op('add', ['3', '5', IN | OUT, '5'])
      .op('mod', ['3', '5', IN, 'x'])
      .op('write', ['5', 'a\n'])
      .op('dup', ['5', '7'])
      .op('wait', ['3', 8, 10])
      .op('eventfd', ['e', 2])
      .op('shutdown', ['5', 1])
      .build();
    expect(p.steps.map((_, i) => stepText(p, i))).toEqual([
      'add 3 5 IN|OUT',
      'mod 3 5 IN data x',
      'write 5 "a\\n"',
      'dup 5 -> 7',
      'wait 3 max 8 timeout 10',
      'eventfd e 2',
      'shutdown 5 WR',
    ]);
  });
});

describe('formatFailure / formatError', () => {
  it('locates, quotes, gives expected and got, and the transcript up to the step', () => {
    const { source, program, result: r } = shutRd();
    const steps = [...r.steps];
    steps[7] = step({ ret: 1, bytes: Uint8Array.of(0x62) });
    const s = report(program, { ...r, steps });
    const text = formatFailure(s, s.check.failures[0], source);
    expect(text).toBe(
      [
        'founding.epl:10:1: scenario "shutdown RD": => expectation failed',
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
        '    epoll_wait(3, {5: OUT, 6: OUT}, 16, 0)  = 2',
        '    shutdown(5, SHUT_RD)                    = 0',
        '    epoll_wait(3, {5: IN|OUT|RDHUP, 6: OUT}, 16, 0) = 2',
        '    read(5, "b", 1)                         = 1',
        '',
      ].join('\n'),
    );
  });

  it('an error names the step that did not complete', () => {
    const { program, result: r } = shutRd();
    const s = report(program, { ...r, steps: r.steps.slice(0, 2), error: 'over its time budget' });
    const text = formatError(s);
    expect(text.split('\n')[0]).toBe('founding.epl:4:1: scenario "shutdown RD": error: over its time budget');
    expect(text).toContain('epoll_create1(0)');
  });
});

describe('formatFailures', () => {
  it('is every failure, then the error, separated by a blank line', () => {
    const { source, program, result: r } = shutRd();
    const steps = [...r.steps];
    steps[4] = step({ ret: 1, ready: [{ slot: 0, events: OUT }] });
    steps[7] = step({ ret: 1, bytes: Uint8Array.of(0x62) });
    const s = report(program, { ...r, steps: steps.slice(0, 10), error: 'the worker died' });
    expect(s.check.failures.map((f) => f.line)).toEqual([6, 10]);
    const [a, b] = s.check.failures.map((f) => formatFailure(s, f, source).trimEnd());
    expect(formatFailures(s, source)).toBe(`${a}\n\n${b}\n\n${formatError(s).trimEnd()}`);
  });

  it('is empty for a scenario that passed', () => {
    expect(formatFailures(report(), shutRd().source)).toBe('');
  });
});

describe('familyDifferences', () => {
  it('lists the steps whose observations differ, per family', () => {
    const { program, result: r } = shutRd();
    const unixSteps: StepResult[] = r.steps.map((x) => ({ ...x, wire: [] }));
    unixSteps[6] = step({
      ret: 2,
      ready: [
        { slot: 0, events: IN | OUT | RDHUP },
        { slot: 1, events: OUT | RDHUP },
      ],
    });
    const diffs = familyDifferences([report(program, r, 'tcp'), report(program, r, 'tcp6'), report(program, { ...r, steps: unixSteps }, 'unix')]);
    // Every step with a wire differs (unix has none), and the wait after shutdown.
    const rows = diffs.map((d) => [d.line, d.op, d.observed.unix]);
    expect(rows).toContainEqual([9, 'wait 3 max 16 timeout 0', '5: IN|OUT|RDHUP, 6: OUT|RDHUP ~> none']);
    expect(diffs.find((d) => d.line === 9)?.observed.tcp).toBe('5: IN|OUT|RDHUP, 6: OUT ~> none');
    expect(diffs.map((d) => d.line)).toEqual([2, 9, 11, 13]);
  });

  it('shows a setup step that differs the same way in every scenario once', () => {
    const { program, result: r } = shutRd();
    const other = { ...program, title: 'other', index: 1 };
    const unix = { ...r, steps: r.steps.map((x) => ({ ...x, wire: [] })) };
    const diffs = familyDifferences([report(program, r, 'tcp'), report(program, unix, 'unix'), report(other, r, 'tcp'), report(other, unix, 'unix')]);
    expect(diffs.map((d) => [d.title, d.line])).toEqual([
      ['shutdown RD', 2],
      ['shutdown RD', 11],
      ['shutdown RD', 13],
    ]);
  });
});
