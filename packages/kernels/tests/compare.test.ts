import type { AnyScenarioRecord as ScenarioRecord, AnyStepRecord as StepRecord } from '@epl/report';
import { compareRecords, differenceTable } from '../src/compare';

type Seg = { src: string; dst: string; flags: string; len: number };
const seg = (src: string, dst: string, flags: string, len = 0): Seg => ({ src, dst, flags, len });

function step(line: number, op: string, got: string, wire?: Seg[]): StepRecord {
  return { line, col: 3, op, result: 0, fds: {}, got, pass: true, ...(wire ? { wire } : {}) };
}

function rec(kernel: string, title: string, steps: StepRecord[], over: Partial<ScenarioRecord> = {}): ScenarioRecord {
  return { file: 'a.epl', title, family: 'tcp', kernel, netns: true, wire: { captured: true }, pass: true, attempts: 1, steps, ...over };
}

const setup = step(1, 'tcp 5 6', 'ok', [seg('5', '6', 'S'), seg('6', '5', 'S.'), seg('5', '6', '.')]);

describe('compareRecords', () => {
  it('finds no difference between kernels that answered alike', () => {
    const c = compareRecords([
      { source: 'a.json', records: [rec('5.10', 's', [setup, step(2, 'close 5', '0', [seg('5', '6', 'F.')])])] },
      { source: 'b.json', records: [rec('6.1', 's', [setup, step(2, 'close 5', '0', [seg('5', '6', 'F.')])])] },
    ]);
    expect(c.columns.map((k) => k.label)).toEqual(['5.10', '6.1']);
    expect(c.differences).toEqual([]);
    expect(c.scenarios).toBe(1);
    expect(c.partial).toBe(0);
    expect(differenceTable(c)).toBe('kernels agree (5.10, 6.1): no step differs\n');
  });

  it('reports a step whose result or wire differs, with every kernel’s answer', () => {
    const c = compareRecords([
      {
        source: 'all.json',
        records: [
          rec('5.10', 's', [setup, step(2, 'shutdown 5 RD', '0', []), step(3, 'wait 3', '5: IN|OUT')]),
          rec('6.1', 's', [setup, step(2, 'shutdown 5 RD', '0', []), step(3, 'wait 3', '5: IN|OUT|RDHUP')]),
          rec('6.12', 's', [setup, step(2, 'shutdown 5 RD', '0', [seg('5', '6', 'R.')]), step(3, 'wait 3', '5: IN|OUT|RDHUP')]),
        ],
      },
    ]);
    expect(c.differences).toEqual([
      { file: 'a.epl', title: 's', family: 'tcp', line: 2, col: 3, op: 'shutdown 5 RD', observed: ['0 ~> none', '0 ~> none', '0 ~> 5 > 6 R.'] },
      {
        file: 'a.epl',
        title: 's',
        family: 'tcp',
        line: 3,
        col: 3,
        op: 'wait 3',
        observed: ['5: IN|OUT ~> none', '5: IN|OUT|RDHUP ~> none', '5: IN|OUT|RDHUP ~> none'],
      },
    ]);
    expect(differenceTable(c)).toBe(
      [
        'kernels differ (5.10, 6.1, 6.12): 2 steps',
        '  step       statement      5.10               6.1                      6.12',
        '  a.epl:2:3  shutdown 5 RD  0 ~> none          0 ~> none                0 ~> 5 > 6 R.',
        '  a.epl:3:3  wait 3         5: IN|OUT ~> none  5: IN|OUT|RDHUP ~> none  5: IN|OUT|RDHUP ~> none',
        '',
      ].join('\n'),
    );
  });

  it('compares results only when a run did not capture the wire', () => {
    const c = compareRecords([
      { source: 'root.json', records: [rec('6.1', 's', [step(2, 'close 5', '0', [seg('5', '6', 'F.')])])] },
      { source: 'user.json', records: [rec('6.18', 's', [step(2, 'close 5', '0')], { wire: { captured: false, reason: 'no CAP_NET_RAW' } })] },
    ]);
    expect(c.differences).toEqual([]);
  });

  it('gives a release found in two files a column per file', () => {
    const c = compareRecords([
      { source: 'runs/here.json', records: [rec('6.1', 's', [step(2, 'read 5', '"x"', [])])] },
      { source: 'runs/there.json', records: [rec('6.1', 's', [step(2, 'read 5', 'EAGAIN', [])])] },
    ]);
    expect(c.columns.map((k) => k.label)).toEqual(['6.1 (here.json)', '6.1 (there.json)']);
    expect(c.differences[0].observed).toEqual(['"x" ~> none', 'EAGAIN ~> none']);
  });

  it('marks a step one kernel did not reach, and leaves out a scenario a run lacks', () => {
    const c = compareRecords([
      { source: 'a.json', records: [rec('5.10', 's', [setup], { error: 'over its time budget' }), rec('5.10', 'only here', [setup])] },
      { source: 'b.json', records: [rec('6.1', 's', [setup, step(2, 'close 5', '0', [])])] },
    ]);
    expect(c.scenarios).toBe(2);
    expect(c.partial).toBe(1);
    expect(c.differences.map((d) => [d.line, d.observed])).toEqual([[2, ['(not run)', '0 ~> none']]]);
  });

  it('shows a setup step’s difference once, and the family beside the step', () => {
    const other = step(1, 'tcp 5 6', 'ok', [seg('5', '6', 'S')]);
    const c = compareRecords([
      { source: 'a.json', records: [rec('5.10', 'x', [setup], { family: 'tcp6' }), rec('5.10', 'y', [setup], { family: 'tcp6' })] },
      { source: 'b.json', records: [rec('6.1', 'x', [other], { family: 'tcp6' }), rec('6.1', 'y', [other], { family: 'tcp6' })] },
    ]);
    expect(c.differences).toHaveLength(1);
    expect(differenceTable(c).split('\n')[2]).toMatch(/^ {2}a\.epl:1:3 \[tcp6\] {2}tcp 5 6/);
  });
});
