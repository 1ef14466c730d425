import { EPOLL_FLAGS, Op } from '@epl/program';
import type { Family, RunResult } from '@epl/program';
import { Campaign } from '../src/campaign';
import { RunContext, defaultOracles, determinism, differential, familyRules, modelOracle, robustness } from '../src/oracles';
import type { Oracle } from '../src/oracles';
import { encode } from '../src/seq';
import type { Seq } from '../src/seq';
import { PlantedRunner, modelRun, plantedRun } from './helpers';

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

describe('model', () => {
  // pipe r w; epoll e; add e r IN; write w "ab"; wait e; read r 1; wait e (a byte is left: r is still IN)
  const piped = encode([
    { code: Op.pipe, operands: ['r', 'w'] },
    { code: Op.epoll, operands: ['e'] },
    { code: Op.add, operands: ['e', 'r', EPOLL_FLAGS.IN, 'r'] },
    { code: Op.write, operands: ['w', b('ab')] },
    { code: Op.wait, operands: ['e', 64, 0] },
    { code: Op.read, operands: ['r', 1] },
    { code: Op.wait, operands: ['e', 64, 0] },
  ]);
  const on = (s: Seq, runs: [Family, RunResult[]][]) => new RunContext(s, 0, new Map(runs));

  it('finds nothing in a run that answers as the model predicts', () => {
    expect(modelOracle().check(on(piped, [['tcp', [modelRun(piped, 'tcp')]]]))).toEqual([]);
  });

  it('a result it did not predict: keyed by abstracted values, both answers in the message, its reasons in the details', () => {
    const [f] = modelOracle().check(on(piped, [['tcp', [modelRun(piped, 'tcp', (i) => (i === 3 ? { ret: 0 } : undefined))]]]));
    expect(f).toMatchObject({
      oracle: 'model',
      kind: 'result',
      key: 'model tcp write result: kernel 0 | model n',
      step: 3,
      families: ['tcp'],
      bug: true,
      message: 'step 4 (write) on tcp: result: kernel 0, model 2',
    });
    const details = f.details!();
    expect(details[0]).toBe('result: kernel 0, model 2');
    expect(details.slice(1).every((d) => /^model's reason \([a-z]+\.[a-z-]+\): /.test(d))).toBe(true);
    expect(details.length).toBeGreaterThan(1);
  });

  it('a ready list it did not predict; only the first disagreement of a run; unix keys apart', () => {
    const changed = (i: number) => (i === 4 ? { ready: [] } : i === 5 ? { ret: -1, errno: 11 } : undefined);
    const found = modelOracle().check(
      on(piped, [
        ['tcp', [modelRun(piped, 'tcp', changed)]],
        ['unix', [modelRun(piped, 'unix', changed)]],
      ]),
    );
    expect(found.map((f) => [f.key, f.step])).toEqual([
      ['model tcp wait ready: kernel none | model IN', 4],
      ['model unix wait ready: kernel none | model IN', 4],
    ]);
  });

  it('compares only the steps every re-run agreed on', () => {
    const a = modelRun(piped, 'tcp', (i) => (i === 6 ? { ready: [] } : undefined));
    const b2 = modelRun(piped, 'tcp', (i) => (i === 5 ? { ret: -1, errno: 11 } : i === 6 ? { ready: [] } : undefined));
    expect(modelOracle().check(on(piped, [['tcp', [a]]]))).toHaveLength(1);
    // Step 6 varies between the runs: nothing from it on is judged.
    expect(modelOracle().check(on(piped, [['tcp', [a, b2]]]))).toEqual([]);
  });

  it('a flipped rule (level-triggered items not put back on the ready list) disagrees with a faithful run', () => {
    const [f] = modelOracle({ flip: ['epoll.lt-requeue'] }).check(on(piped, [['tcp', [modelRun(piped, 'tcp')]]]));
    expect([f.key, f.step]).toEqual(['model tcp wait ready: kernel IN | model none', 6]);
  });

  it('defaultOracles has it unless model is false', () => {
    expect(defaultOracles().map((o) => o.name)).toEqual(['robustness', 'determinism', 'differential', 'model']);
    expect(defaultOracles({ model: false }).map((o) => o.name)).toEqual(['robustness', 'determinism', 'differential']);
  });
});

describe('the family catalogue names the rules that part the families', () => {
  // pair a b; shutdown a RD; write b "x": 1 on tcp, EPIPE on unix
  const half = encode([
    { code: Op.pair, operands: ['a', 'b'] },
    { code: Op.shutdown, operands: ['a', 0] },
    { code: Op.write, operands: ['b', b('x')] },
  ]);

  it('each family: the rules behind the step the other does not have, with their sentences', () => {
    const c = new RunContext(
      half,
      0,
      new Map([
        ['tcp', [modelRun(half, 'tcp')]],
        ['unix', [modelRun(half, 'unix')]],
      ]),
    );
    const [f] = differential().check(c);
    expect([f.kind, f.key]).toEqual(['behaviour', 'tcp/unix write result: 1 | EPIPE']);
    const details = f.details!();
    expect(details.some((d) => d.startsWith('tcp: tcp.send: b sends 1 byte(s)'))).toBe(true);
    expect(details.some((d) => d.startsWith('unix: unix.send-shutdown: '))).toBe(true);
    expect(details.every((d) => /^(tcp|unix): /.test(d))).toBe(true);
    expect(familyRules(half, 2, { family: 'tcp', run: modelRun(half, 'tcp') }, { family: 'unix', run: modelRun(half, 'unix') })).toEqual(details);
    // Without the model, no details.
    expect(differential({ model: false }).check(c)[0].details).toBeUndefined();
  });

  it('says when the model does not predict what the kernel did there', () => {
    const unix = modelRun(half, 'unix', (i) => (i === 1 ? { ret: -1, errno: 107 } : undefined));
    const details = familyRules(half, 2, { family: 'tcp', run: modelRun(half, 'tcp') }, { family: 'unix', run: unix });
    expect(details).toContain('unix: the model does not predict what the kernel did up to this step (a model finding)');
  });
});
