import { Op } from '@epl/program';
import type { Family, RunResult } from '@epl/program';
import { Campaign } from '../src/campaign';
import { RunContext, determinism, differential, robustness } from '../src/oracles';
import type { Oracle } from '../src/oracles';
import { encode } from '../src/seq';
import { PlantedRunner, plantedRun } from './helpers';

const b = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
// pair 5 6; write 6 "a"; read 5 1; close 5
const seq = encode([
  { code: Op.pair, operands: ['5', '6'] },
  { code: Op.write, operands: ['6', b('a')] },
  { code: Op.read, operands: ['5', 1] },
  { code: Op.close, operands: ['5'] },
]);
const readA = (i: number) => (i === 2 ? { ret: 1, bytes: b('a') } : undefined);
const ctx = (runs: [Family, RunResult[]][]) => new RunContext(seq, 0, new Map(runs));

describe('robustness', () => {
  it('reports a run error, a crash and a missing step, each once', () => {
    const good = plantedRun(seq, 'tcp', readA);
    const bad: RunResult = { ...good, steps: good.steps.slice(0, 2), error: 'executor: slot 9 out of range' };
    const crash: RunResult = { ...good, steps: [], error: 'the worker died while running this scenario (exit 70); it was replaced' };
    const short: RunResult = { ...good, steps: good.steps.slice(0, 3) };
    expect(robustness.check(ctx([['tcp', [good, good]]]))).toEqual([]);
    const f = robustness.check(
      ctx([
        ['tcp', [good, bad, bad]],
        ['unix', [crash, short]],
      ]),
    );
    expect(f.map((x) => x.kind)).toEqual(['error', 'crash', 'truncated']);
    expect(f[0].key).toBe('error: executor: slot # out of range');
    expect(f[0].step).toBe(2);
    expect(robustness.check(new RunContext(seq, 0, new Map([['tcp', [good]]]), 2))[0].kind).toBe('leak');
  });
});

describe('determinism', () => {
  it('reports a varying step as flaky with its observed rate', () => {
    const runs = [0, 1, 2, 3].map((k) => plantedRun(seq, 'tcp', (i) => (i === 2 ? (k === 3 ? { ret: -1, errno: 11 } : { ret: 1, bytes: b('a') }) : undefined)));
    const [f] = determinism.check(ctx([['tcp', runs]]));
    expect(f).toMatchObject({ kind: 'flaky', step: 2, rate: 0.25, key: 'flaky tcp read result', bug: true });
    expect(f.message).toMatch(/1 x3; EAGAIN x1/);
  });
  it('says nothing of runs that agree, or of a single run', () => {
    const r = plantedRun(seq, 'tcp', readA);
    expect(determinism.check(ctx([['tcp', [r, plantedRun(seq, 'tcp', readA)]]]))).toEqual([]);
    expect(determinism.check(ctx([['tcp', [r]]]))).toEqual([]);
  });
});

describe('differential', () => {
  const tcp = plantedRun(seq, 'tcp', readA);
  it('reports tcp and tcp6 disagreeing as a finding, at the first differing step', () => {
    const tcp6 = plantedRun(seq, 'tcp6', (i) => (i === 2 ? { ret: -1, errno: 11 } : undefined));
    const f = differential().check(
      ctx([
        ['tcp', [tcp]],
        ['tcp6', [tcp6]],
      ]),
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'differs', bug: true, step: 2, families: ['tcp', 'tcp6'], key: 'tcp/tcp6 read result: 1 | EAGAIN' });
  });
  it('catalogues tcp vs unix as behaviour, and ignores the wire unix cannot have', () => {
    const wired = plantedRun(seq, 'tcp', (i) => (i === 0 ? { wire: [{ src: 0, dst: 1, flags: 2, len: 0 }] } : readA(i)));
    const unix = plantedRun(seq, 'unix', (i) => (i === 2 ? { ret: -1, errno: 11 } : undefined));
    const f = differential().check(
      ctx([
        ['tcp', [wired]],
        ['unix', [unix]],
      ]),
    );
    expect(f.map((x) => [x.kind, x.bug, x.step])).toEqual([['behaviour', false, 2]]);
    const sameUnix = plantedRun(seq, 'unix', readA);
    expect(
      differential().check(
        ctx([
          ['tcp', [wired]],
          ['unix', [sameUnix]],
        ]),
      ),
    ).toEqual([]);
  });
  it('never reports a step that varies between re-runs as a difference', () => {
    const flaky = [0, 1].map((k) => plantedRun(seq, 'tcp6', (i) => (i === 2 ? (k ? { ret: -1, errno: 11 } : { ret: 1, bytes: b('a') }) : undefined)));
    expect(
      differential().check(
        ctx([
          ['tcp', [tcp, tcp]],
          ['tcp6', flaky],
        ]),
      ),
    ).toEqual([]);
    expect(
      determinism.check(
        ctx([
          ['tcp', [tcp, tcp]],
          ['tcp6', flaky],
        ]),
      )[0].kind,
    ).toBe('flaky');
  });
});

describe('the Oracle interface', () => {
  it('takes a new oracle (a reference model) without touching the campaign', async () => {
    // A planted model: "a read of 1 byte returns 1". The planted kernel returns EAGAIN.
    const model: Oracle = {
      name: 'model',
      check(c) {
        const out = [];
        for (let i = 0; i < c.runs(c.families[0])[0].steps.length; i++) {
          const st = c.runs(c.families[0])[0].steps[i];
          if (c.seq.code[i * 6] === Op.read && st.errno === 11) {
            out.push({ oracle: 'model', kind: 'mismatch', key: 'read EAGAIN', step: i, families: [c.families[0]], message: 'model said 1', bug: true });
          }
        }
        return out;
      },
    };
    const runner = new PlantedRunner((i, p) => (p.code[i * 6] === Op.read ? { ret: -1, errno: 11 } : undefined));
    const c = new Campaign(runner, { seed: 3, count: 300, batch: 100, oracles: [model], families: ['tcp'], shrinkBudget: 200 });
    const s = await c.run();
    expect(s.findings).toEqual({ model: 1 });
    expect(s.records[0].finding.oracle).toBe('model');
    expect(s.records[0].shrunk!.to).toBeLessThanOrEqual(2); // a creating op and the read
  });
});
