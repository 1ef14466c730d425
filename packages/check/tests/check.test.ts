// Verdicts on hand-made runs (every rule), then on real runs of the corpus through the pool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '@epl/compiler';
import { LAYOUT, ResultView } from '@epl/executor';
import { result, step, viewOf } from '@epl/executor/testing';
import { Pool } from '@epl/pool';
import { EPOLL_FLAGS, ERRNO, FAMILIES, Op, OP_WORDS, ProgramBuilder, SHUT } from '@epl/program';
import type { Program, ResultExpect, RunResult, Step, StepResult, WireExpect } from '@epl/program';
import { check, lost, resultHolds, stepVerdicts, wireHolds } from '../src';

const { IN, OUT, RDHUP } = EPOLL_FLAGS;
const F = 0x01;
const P = 0x08;
const A = 0x10;
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const holds = (code: number, e: Parameters<typeof resultHolds>[1], s: ReturnType<typeof step>) => resultHolds(code, e, viewOf(result([s])), 0);
const wireOk = (e: Parameters<typeof wireHolds>[0], s: ReturnType<typeof step>) => wireHolds(e, viewOf(result([s])), 0);

describe('resultHolds', () => {
  const WAIT = Op.wait;
  const READ = Op.read;
  it('ok is a return of 0 without errno', () => {
    expect(holds(READ, { kind: 'ok' }, step())).toBe(true);
    expect(holds(READ, { kind: 'ok' }, step({ ret: 1 }))).toBe(false);
    expect(holds(READ, { kind: 'ok' }, step({ ret: -1, errno: 9 }))).toBe(false);
  });
  it('errno compares by number', () => {
    expect(holds(READ, { kind: 'errno', name: 'EWOULDBLOCK', code: 11 }, step({ ret: -1, errno: 11 }))).toBe(true);
    expect(holds(READ, { kind: 'errno', name: 'EPIPE', code: 32 }, step({ ret: -1, errno: 104 }))).toBe(false);
  });
  it('bytes are exact; a step that kept none compares as empty', () => {
    expect(holds(READ, { kind: 'bytes', value: bytes('ab') }, step({ ret: 2, bytes: bytes('ab') }))).toBe(true);
    expect(holds(READ, { kind: 'bytes', value: bytes('ab') }, step({ ret: 2, bytes: bytes('aB') }))).toBe(false);
    expect(holds(READ, { kind: 'bytes', value: bytes('') }, step({ ret: 1, bytes: bytes('a') }))).toBe(false);
    expect(holds(READ, { kind: 'bytes', value: bytes('') }, step({ ret: 0 }))).toBe(true);
  });
  it('ready lists compare as multisets: order free, a repeated entry must be there as often', () => {
    const want = {
      kind: 'ready' as const,
      entries: [
        { slot: 0, events: OUT },
        { slot: 1, events: IN | OUT },
      ],
    };
    expect(
      holds(
        WAIT,
        want,
        step({
          ready: [
            { slot: 1, events: IN | OUT },
            { slot: 0, events: OUT },
          ],
        }),
      ),
    ).toBe(true);
    expect(holds(WAIT, want, step({ ready: [{ slot: 1, events: IN | OUT }] }))).toBe(false);
    expect(
      holds(
        WAIT,
        want,
        step({
          ready: [
            { slot: 1, events: IN },
            { slot: 0, events: OUT },
          ],
        }),
      ),
    ).toBe(false);
    const twice = {
      kind: 'ready' as const,
      entries: [
        { slot: 0, events: OUT },
        { slot: 0, events: OUT },
      ],
    };
    expect(
      holds(
        WAIT,
        twice,
        step({
          ready: [
            { slot: 0, events: OUT },
            { slot: 0, events: OUT },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      holds(
        WAIT,
        twice,
        step({
          ready: [
            { slot: 0, events: OUT },
            { slot: 1, events: OUT },
          ],
        }),
      ),
    ).toBe(false);
  });
  it('long ready lists compare as sets too', () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ slot: i, events: i % 2 ? IN : OUT }));
    const want = { kind: 'ready' as const, entries };
    expect(holds(WAIT, want, step({ ready: [...entries].reverse() }))).toBe(true);
    expect(holds(WAIT, want, step({ ready: [...entries.slice(1), { slot: 0, events: IN }] }))).toBe(false);
  });
  it('none is an empty ready list, and only on a wait', () => {
    expect(holds(WAIT, { kind: 'none' }, step({ ready: [] }))).toBe(true);
    expect(holds(WAIT, { kind: 'none' }, step({ ret: 1, ready: [{ slot: 0, events: OUT }] }))).toBe(false);
    expect(holds(READ, { kind: 'none' }, step())).toBe(false);
  });
});

describe('wireHolds', () => {
  it('compares segments in order, every field', () => {
    const segments = [
      { src: 1, dst: 0, flags: P | A, len: 1 },
      { src: 0, dst: 1, flags: A, len: 0 },
    ];
    const want = { kind: 'segments' as const, segments };
    expect(wireOk(want, step({ wire: [...segments] }))).toBe(true);
    expect(wireOk(want, step({ wire: [...segments].reverse() }))).toBe(false);
    expect(wireOk(want, step({ wire: [segments[0], { src: 0, dst: 1, flags: A, len: 2 }] }))).toBe(false);
    expect(wireOk({ kind: 'none' }, step())).toBe(true);
    expect(wireOk({ kind: 'none' }, step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] }))).toBe(false);
  });
});

const SHUT_RD = `tcp 5 6
epoll 3
add 3 5 IN|OUT|ERR|HUP|RDHUP
add 3 6 IN|OUT|ERR|HUP|RDHUP
wait   => 5: OUT, 6: OUT
shutdown 5 RD
read 5 1 => ""
`;

describe('check', () => {
  const [program] = compile(SHUT_RD, 'founding.epl');
  const ran = () => [
    step({ fds: [20, 21] }),
    step({ fds: [19] }),
    step(),
    step(),
    step({
      ret: 2,
      ready: [
        { slot: 0, events: OUT },
        { slot: 1, events: OUT },
      ],
    }),
    step(),
    step({ bytes: bytes('') }),
  ];

  it('passes a run that meets every expectation; per-step verdicts follow', () => {
    const o = check(program, viewOf(result(ran())));
    expect([o.status, o.failures, o.checked, o.passed, o.ran]).toEqual(['passed', [], 2, 2, 7]);
    expect(program.steps.map((_, i) => stepVerdicts(program, o, i).result)).toEqual(['none', 'none', 'none', 'none', 'pass', 'none', 'pass']);
  });

  it('reports a failure at its step with what came, decoded', () => {
    const steps = ran();
    steps[4] = step({
      ret: 2,
      ready: [
        { slot: 0, events: IN | OUT | RDHUP },
        { slot: 1, events: OUT },
      ],
    });
    const o = check(program, viewOf(result(steps)));
    expect(o.status).toBe('failed');
    expect(o.failures).toEqual([{ index: 4, file: 'founding.epl', line: 5, col: 1, kind: 'result', got: steps[4] }]);
    expect(stepVerdicts(program, o, 4)).toEqual({ result: 'fail', wire: 'none' });
  });

  const wired = () =>
    new ProgramBuilder('w.epl')
      .op('tcp', ['5', '6'])
      .op('shutdown', ['5', SHUT.WR], {
        expect: { kind: 'number', value: 0 },
        wire: { kind: 'segments', segments: [{ src: 0, dst: 1, flags: F | A, len: 0 }] },
      })
      .build();

  it('checks ~> when the wire was captured', () => {
    const p = wired();
    const fin = [{ src: 0, dst: 1, flags: F | A, len: 0 }];
    expect(check(p, viewOf(result([step(), step({ wire: fin })]))).status).toBe('passed');
    const o = check(p, viewOf(result([step(), step({ wire: [] })])));
    expect(o.failures.map((f) => [f.index, f.kind, f.got.wire])).toEqual([[1, 'wire', []]]);
  });

  it('counts ~> as not checked, never passed, when the wire was not captured, and says why', () => {
    const o = check(wired(), viewOf(result([step(), step({ wire: [] })], { captured: false })));
    expect([o.status, o.wireUnchecked, o.passed, o.checked, o.wireCaptured, o.captureReason]).toEqual(['passed', 1, 1, 1, false, 'no CAP_NET_RAW']);
    expect(stepVerdicts(wired(), o, 1)).toEqual({ result: 'pass', wire: 'unchecked' });
  });

  it('an executor error makes it errored; steps that never ran are counted, not failed', () => {
    const o = check(wired(), viewOf(result([step()], { error: 'malformed program: op 1 (shutdown): …' }), 1));
    expect([o.status, o.error, o.failures, o.notRun, o.ran]).toEqual(['errored', 'malformed program: op 1 (shutdown): …', [], 2, 1]);
    expect(stepVerdicts(wired(), o, 1)).toEqual({ result: 'unchecked', wire: 'unchecked' });
  });

  it('says what the run could not keep', () => {
    const p = new ProgramBuilder().op('pipe', ['r', 'w']).op('read', ['r', 10]).build();
    const o = check(p, viewOf(result([step(), step({ ret: 10, bytes: bytes('x'), wireDropped: 3 })], { bytesDropped: 9 })));
    expect(o.truncated).toEqual({ bytes: 9, segments: 3 });
    expect(check(p, viewOf(result([step(), step()]))).truncated).toBeUndefined();
  });

  it('a lost scenario has no results: every expectation is not run', () => {
    const o = lost(wired(), 'the worker died');
    expect([o.status, o.error, o.notRun, o.ran, o.checked]).toEqual(['lost', 'the worker died', 2, 0, 0]);
  });
});

// check() on real runs through the pool: the scenarios corpus in every family. Each run is
// checked with its own expectations and with expectation sets derived from what it observed:
// stated exactly (a pass), or some stated wrongly (each failure is at a step made wrong), with
// the wire captured and as if it had not been.
const SCENARIOS = path.join(__dirname, '..', '..', '..', 'scenarios');

function eplFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? eplFiles(path.join(dir, e.name)) : e.name.endsWith('.epl') ? [path.join(dir, e.name)] : []));
}

/** A small deterministic PRNG (mulberry32): the variants are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ERRNOS = Object.values(ERRNO);

/** A `=>` for what a step observed; `mutate` makes it wrong in a way that kind allows. */
function resultExpect(op: number, r: StepResult, mutate: boolean, rand: () => number): ResultExpect {
  if (r.errno !== 0) {
    if (!mutate) return { kind: 'errno', name: '', code: r.errno };
    return rand() < 0.5 ? { kind: 'errno', name: '', code: ERRNOS.find((c) => c !== r.errno) as number } : { kind: 'ok' };
  }
  if (r.bytes !== undefined) {
    const value = new Uint8Array(r.bytes);
    if (!mutate) return { kind: 'bytes', value };
    if (value.length > 0 && rand() < 0.5) {
      value[Math.floor(rand() * value.length)] ^= 1;
      return { kind: 'bytes', value };
    }
    return { kind: 'bytes', value: Uint8Array.from([...value, 0x41]) };
  }
  if (r.ready !== undefined) {
    // Reversed: a ready list is a multiset, order never matters.
    const entries = [...r.ready].reverse();
    if (!mutate) return entries.length === 0 && rand() < 0.5 ? { kind: 'none' } : { kind: 'ready', entries };
    if (entries.length === 0) return { kind: 'ready', entries: [{ slot: 0, events: 1 }] };
    const k = Math.floor(rand() * entries.length);
    const pick = rand();
    if (pick < 0.33) return { kind: 'ready', entries: entries.filter((_, i) => i !== k) };
    if (pick < 0.66) return { kind: 'ready', entries: entries.map((e, i) => (i === k ? { slot: e.slot, events: e.events ^ 0x400 } : e)) };
    return { kind: 'none' };
  }
  if (!mutate) return r.ret === 0 ? (op === Op.wait || rand() < 0.5 ? { kind: 'number', value: 0 } : { kind: 'ok' }) : { kind: 'number', value: r.ret };
  const pick = rand();
  if (pick < 0.4) return { kind: 'number', value: r.ret + 1 };
  if (pick < 0.7) return r.ret === 0 ? { kind: 'none' } : { kind: 'ok' };
  return { kind: 'errno', name: '', code: ERRNO.EAGAIN };
}

/** A `~>` for the segments a step saw; `mutate` makes it wrong. */
function wireExpect(r: StepResult, mutate: boolean, rand: () => number): WireExpect {
  const segments = r.wire.map((s) => ({ ...s }));
  if (!mutate) return segments.length === 0 && rand() < 0.5 ? { kind: 'none' } : { kind: 'segments', segments };
  if (segments.length === 0) return { kind: 'segments', segments: [{ src: 0, dst: 1, flags: 0x10, len: 0 }] };
  const k = Math.floor(rand() * segments.length);
  const pick = rand();
  if (pick < 0.25) return { kind: 'none' };
  if (pick < 0.5) return { kind: 'segments', segments: segments.map((s, i) => (i === k ? { ...s, flags: s.flags ^ 0x08 } : s)) };
  if (pick < 0.75) return { kind: 'segments', segments: segments.map((s, i) => (i === k ? { ...s, len: s.len + 1 } : s)) };
  return { kind: 'segments', segments: segments.slice(1) };
}

/**
 * An expectation set for `program` from what `result` observed: each step keeps, drops, states
 * exactly or (at `wrongRate`) states wrongly its `=>` and `~>`; `wrong` collects the latter.
 */
function variant(program: Program, result: RunResult, wrongRate: number, rand: () => number, wrong: Set<string>): Program {
  const steps: Step[] = program.steps.map((s, i) => {
    const r = result.steps[i];
    if (!r) return s;
    const op = program.code[i * OP_WORDS];
    const badResult = rand() < wrongRate;
    const badWire = rand() < wrongRate;
    const expect = wrongRate === 0 || rand() < 0.8 ? resultExpect(op, r, badResult, rand) : undefined;
    const wire = wrongRate === 0 || rand() < 0.6 ? wireExpect(r, badWire, rand) : undefined;
    if (expect && badResult) wrong.add(`${i} result`);
    if (wire && badWire) wrong.add(`${i} wire`);
    return { span: s.span, end: s.end, setup: s.setup, ...(expect ? { expect } : {}), ...(wire ? { wire } : {}) };
  });
  return { ...program, steps };
}

/** A copy of a results buffer with the captured flag cleared: the same run, as if the wire was not captured. */
function uncaptured(raw: Uint8Array): Uint8Array {
  const copy = raw.slice();
  const h = new Int32Array(copy.buffer, 0, LAYOUT.headerWords);
  h[LAYOUT.hFlags] &= ~LAYOUT.flagCaptured;
  return copy;
}

describe('check on real runs', () => {
  const runs: { program: Program; raw: Uint8Array }[] = [];
  beforeAll(async () => {
    const pool = new Pool({ workers: 2 });
    try {
      const corpus = eplFiles(SCENARIOS).flatMap((f) => compile(fs.readFileSync(f, 'utf8'), f));
      const jobs = FAMILIES.flatMap((family) => corpus.map((program) => ({ program, family })));
      for await (const out of pool.run(jobs)) {
        if (!out.view) throw new Error(`lost: ${out.lost}`);
        runs.push({ program: jobs[out.id].program, raw: out.view.raw().slice() });
      }
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('passes the corpus as written (retries aside, the corpus holds on this kernel)', () => {
    const failing = runs.filter(({ program, raw }) => check(program, ResultView.of(raw)).status !== 'passed');
    // A pure ACK may land a step later on a loaded machine: at most a stray one.
    expect(failing.length).toBeLessThanOrEqual(1);
  });

  it('passes what a run observed, stated exactly; fails exactly where a statement is wrong', () => {
    let failed = 0;
    let compared = 0;
    runs.forEach(({ program, raw }, n) => {
      const rand = rng(n);
      for (const buffer of [raw, uncaptured(raw)]) {
        const view = ResultView.of(buffer);
        const observed = view.toResult();
        for (const rate of [0, 0.02, 0.15]) {
          const wrong = new Set<string>();
          const p = variant(program, observed, rate, rand, wrong);
          const o = check(p, view);
          compared++;
          if (!view.captured) for (const w of [...wrong]) if (w.endsWith('wire')) wrong.delete(w);
          const failures = new Set(o.failures.map((f) => `${f.index} ${f.kind}`));
          expect([...failures].filter((f) => !wrong.has(f))).toEqual([]);
          expect([...wrong].filter((w) => !failures.has(w))).toEqual([]);
          expect(o.status).toBe(wrong.size > 0 ? 'failed' : 'passed');
          if (o.status === 'failed') failed++;
          if (!view.captured && p.steps.some((s) => s.wire)) expect(o.wireUnchecked).toBeGreaterThan(0);
        }
      }
    });
    expect(runs.length).toBeGreaterThan(40);
    expect(failed).toBeGreaterThan(compared / 8);
  });
});
