import { check, lost } from '@epl/check';
import { result, step, viewOf } from '@epl/executor/testing';
import { compile } from '@epl/compiler';
import { ProgramBuilder } from '@epl/program';
import type { Family, Program, RunResult, StepResult } from '@epl/program';
import { familyDifferences, failureSummaries, stepText, toRecord } from '../src/json';
import type { Scenario } from '../src/scenario';
import { IN, OUT, RDHUP, shutRd } from './fixtures';

function run(program: Program = shutRd().program, r: RunResult = shutRd().result, family: Family = 'tcp'): Scenario {
  const view = viewOf({ ...r, family });
  return { file: program.file, program, family, outcome: check(program, view), view, attempts: 1 };
}

describe('toRecord', () => {
  it('gives the documented fields, statement text from the source', () => {
    const { source } = shutRd();
    const rec = toRecord(run(), source);
    expect(Object.keys(rec)).toEqual(['file', 'title', 'family', 'kernel', 'netns', 'wire', 'status', 'pass', 'names', 'attempts', 'steps']);
    expect([rec.status, rec.pass, rec.attempts, rec.names]).toEqual(['passed', true, 1, ['5', '6', '3']]);
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

  it('marks setup steps', () => {
    const source = 'pipe r w\nscenario "s" {\n  close r\n}\n';
    const [p] = compile(source, 's.epl');
    const rec = toRecord(run(p, result([step({ fds: [3, 4] }), step()])), source);
    expect(rec.steps.map((s) => [s.op, s.setup])).toEqual([
      ['pipe r w', true],
      ['close r', false],
    ]);
  });

  it('reports errno names, errors, truncation and unchecked wire', () => {
    const p = new ProgramBuilder('e.epl', 'e')
      .op('pipe', ['r', 'w'])
      .op('read', ['r', 1], { wire: { kind: 'none' } })
      .op('close', ['r'])
      .build();
    const r = result([step({ fds: [3, 4] }), step({ ret: -1, errno: 11 })], { captured: false, error: 'boom', bytesDropped: 5 });
    const rec = toRecord(run(p, r));
    expect([rec.status, rec.pass, rec.error, rec.truncated]).toEqual(['errored', false, 'boom', { bytes: 5, segments: 0 }]);
    expect(rec.wire).toEqual({ captured: false, reason: 'no CAP_NET_RAW' });
    expect(rec.steps[1]).toMatchObject({ op: 'read r 1', result: 'EAGAIN', wireExpect: 'none', wireChecked: false, pass: true });
    expect(rec.steps[1]).not.toHaveProperty('wire');
  });

  it('a lost scenario has no steps, and says why', () => {
    const { program } = shutRd();
    const rec = toRecord({ file: program.file, program, family: 'tcp', outcome: lost(program, 'the worker died'), attempts: 1 });
    expect([rec.status, rec.pass, rec.error, rec.steps]).toEqual(['lost', false, 'the worker died', []]);
  });

  it('carries the attempts, and for a pass after a failure the first failure text', () => {
    const { source, program, result: r } = shutRd();
    const steps = [...r.steps];
    steps[7] = step({ ret: 1, bytes: Uint8Array.of(0x62) });
    const bad = run(program, { ...r, steps });
    const rec = toRecord({ ...run(), attempts: 2, flaky: { attempts: 2, first: { outcome: bad.outcome, view: bad.view } } }, source);
    expect(rec.attempts).toBe(2);
    expect(rec.flaky?.attempts).toBe(2);
    expect(rec.flaky?.firstFailure.split('\n')[0]).toBe('founding.epl:10:1: scenario "founding": => expectation failed');
    expect(toRecord({ ...run(), attempts: 3 }, source)).not.toHaveProperty('flaky');
  });
});

describe('stepText', () => {
  it('prints a statement with the compiler printer when there is no source', () => {
    const p = new ProgramBuilder()
      .op('add', ['3', '5', IN | OUT, '5'])
      .op('mod', ['3', '5', IN, 'x'])
      .op('write', ['5', 'a\n'])
      .op('dup', ['5', '7'])
      .op('wait', ['3', 8, 10])
      .op('wait', ['3', 64, 0])
      .op('eventfd', ['e', 2])
      .op('shutdown', ['5', 1])
      .build();
    expect(p.steps.map((_, i) => stepText(p, i))).toEqual([
      'add 3 5 IN|OUT',
      'mod 3 5 IN data x',
      'write 5 "a\\n"',
      'dup 5 -> 7',
      'wait 3 max 8 timeout 10',
      'wait 3',
      'eventfd e 2',
      'shutdown 5 WR',
    ]);
  });
});

describe('failureSummaries', () => {
  it('gives each failure with its texts', () => {
    const { program, result: r } = shutRd();
    const steps = [...r.steps];
    steps[7] = step({ ret: 1, bytes: Uint8Array.of(0x62) });
    expect(failureSummaries(run(program, { ...r, steps }))).toEqual([{ file: 'founding.epl', line: 10, col: 1, kind: 'result', expected: '""', got: '"b"' }]);
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
    const diffs = familyDifferences([run(program, r, 'tcp'), run(program, r, 'tcp6'), run(program, { ...r, steps: unixSteps }, 'unix')]);
    // Every step with a wire differs (unix has none), and the wait after shutdown.
    const rows = diffs.map((d) => [d.line, d.op, d.observed.unix]);
    expect(rows).toContainEqual([9, 'wait 3', '5: IN|OUT|RDHUP, 6: OUT|RDHUP ~> none']);
    expect(diffs.find((d) => d.line === 9)?.observed.tcp).toBe('5: IN|OUT|RDHUP, 6: OUT ~> none');
    expect(diffs.map((d) => d.line)).toEqual([2, 9, 11, 13]);
  });

  it('shows a setup step that differs the same way in every scenario once', () => {
    const { program, result: r } = shutRd();
    const other = { ...program, title: 'other', index: 1 };
    const unix = { ...r, steps: r.steps.map((x) => ({ ...x, wire: [] })) };
    const diffs = familyDifferences([run(program, r, 'tcp'), run(program, unix, 'unix'), run(other, r, 'tcp'), run(other, unix, 'unix')]);
    expect(diffs.map((d) => [d.title, d.line])).toEqual([
      ['founding', 2],
      ['founding', 11],
      ['founding', 13],
    ]);
  });
});
