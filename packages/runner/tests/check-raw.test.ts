// checkRaw (the pass fast path on the raw results buffer) against the full decode + check, on
// real runs through the pool: the founding scenarios and the families corpus with every family,
// and fuzz-generated Programs. Each run is checked with its own expectations and with many
// expectation sets derived from what it observed (exact, mutated, reordered), so passes and
// failures of every kind occur. Both must agree on every verdict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '@epl/compiler';
import { decode, LAYOUT } from '@epl/executor';
import { generateMany, toProgram } from '@epl/fuzz';
import { ERRNO, FAMILIES, Op, OP_WORDS } from '@epl/program';
import type { Family, Program, ResultExpect, RunResult, Step, StepResult, WireExpect } from '@epl/program';
import { BatchResult } from '../src/batch';
import { check, checkOutcome } from '../src/check';
import type { CheckResult } from '../src/check';
import { checkRaw } from '../src/check-raw';
import { Pool } from '../src/pool';
import type { PoolResult } from '../src/pool';

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
    if (pick < 0.66) return { kind: 'ready', entries: entries.map((e, i) => (i === k ? { slot: e.slot, events: e.events ^ 4 } : e)) };
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
  return { kind: 'segments', segments: [...segments].reverse().concat(segments.length === 1 ? [segments[0]] : []) };
}

/**
 * Expectation sets for `program` from what `result` observed: each step keeps, drops, states
 * exactly or states wrongly its `=>` and `~>`. Variant 0 states every observation exactly (a pass).
 */
function variants(program: Program, result: RunResult, count: number, seed: number): Program[] {
  const rand = rng(seed);
  const out: Program[] = [];
  for (let v = 0; v < count; v++) {
    const wrongRate = v === 0 ? 0 : v % 3 === 1 ? 0.02 : 0.15;
    const steps: Step[] = program.steps.map((s, i) => {
      const r = result.steps[i];
      if (!r) return rand() < 0.5 ? { ...s, expect: { kind: 'ok' }, wire: { kind: 'none' } } : s;
      const op = program.code[i * OP_WORDS];
      const expect = v === 0 || rand() < 0.8 ? resultExpect(op, r, rand() < wrongRate, rand) : undefined;
      const wire = v === 0 || rand() < 0.6 ? wireExpect(r, rand() < wrongRate, rand) : undefined;
      return { span: s.span, end: s.end, setup: s.setup, ...(expect ? { expect } : {}), ...(wire ? { wire } : {}) };
    });
    out.push({ ...program, steps });
  }
  return out;
}

/** The verdict fields both paths must agree on. */
function verdict(c: CheckResult) {
  return {
    pass: c.pass,
    error: c.error,
    checked: c.checked,
    passed: c.passed,
    wireUnchecked: c.wireUnchecked,
    wireCaptured: c.wireCaptured,
    notRun: c.notRun,
    steps: c.steps.map((s) => [s.index, s.result, s.wire]),
  };
}

/** A copy of a raw buffer with the captured flag cleared: the same run, as if the wire was not captured. */
function uncaptured(raw: Uint8Array): Uint8Array {
  const copy = raw.slice();
  const h = new Int32Array(copy.buffer, 0, LAYOUT.headerWords);
  h[LAYOUT.hFlags] &= ~LAYOUT.flagCaptured;
  return copy;
}

interface Run {
  readonly program: Program;
  readonly raw: Uint8Array;
  /** What the pool yielded (it checks through views shared by its whole batch). */
  readonly outcome: PoolResult;
}

describe('checkRaw agrees with decode + check', () => {
  let pool: Pool;
  const runs: Run[] = [];
  beforeAll(async () => {
    pool = new Pool({ workers: 2 });
    const corpus = eplFiles(SCENARIOS).flatMap((f) => compile(fs.readFileSync(f, 'utf8'), f));
    const fuzz = generateMany('check-raw', 300).map((s, i) => toProgram(s, 'fuzz.epl', `fuzz ${i}`));
    const jobs: { programs: Program[]; family: Family }[] = [
      ...FAMILIES.map((family) => ({ programs: corpus, family })),
      { programs: fuzz, family: 'tcp' },
      { programs: fuzz.slice(0, 100), family: 'unix' },
    ];
    for (const { programs, family } of jobs) {
      for await (const out of pool.run(programs, { family })) {
        expect(out.raw).toBeInstanceOf(Uint8Array);
        expect(out).toBeInstanceOf(BatchResult);
        runs.push({ program: programs[out.id], raw: out.raw as Uint8Array, outcome: out });
      }
    }
  }, 120_000);
  afterAll(() => pool.close());

  it('on every run, with its own and with derived expectations, captured or not', () => {
    let fast = 0;
    let failed = 0;
    let compared = 0;
    runs.forEach(({ program, raw, outcome }, n) => {
      for (const buffer of [raw, uncaptured(raw)]) {
        const result = decode(buffer);
        const programs = [program, ...variants(program, result, 8, n)];
        for (const p of programs) {
          const full = check(p, result);
          const quick = checkRaw(p, buffer);
          compared++;
          if (quick !== undefined) {
            fast++;
            expect(verdict(quick)).toEqual(verdict(full));
            expect(quick.failures).toEqual([]);
          } else {
            // The fast path only gives up on what is not a clean pass (no ready list here is over 30).
            expect(full.pass && result.steps.length === p.steps.length).toBe(false);
          }
          if (!full.pass) failed++;
          // What the runner calls: the same verdict and the same failures as the full check.
          const via = checkOutcome(p, { raw: buffer, result });
          expect(verdict(via)).toEqual(verdict(full));
          expect(via.failures).toEqual(full.failures);
          if (buffer === raw) {
            // The pool's own path (views shared by the batch) takes the fast path on every clean pass.
            if (!(outcome instanceof BatchResult)) throw new Error('the pool returns BatchResults');
            const quickPooled = outcome.checkRaw(p);
            expect(quickPooled !== undefined).toBe(full.pass && result.steps.length === p.steps.length);
            if (quickPooled) expect(verdict(quickPooled)).toEqual(verdict(full));
            const pooled = checkOutcome(p, outcome);
            expect(verdict(pooled)).toEqual(verdict(full));
            expect(pooled.failures).toEqual(full.failures);
          }
        }
      }
    });
    // Both paths were exercised, broadly.
    expect(runs.length).toBeGreaterThan(400);
    expect(fast).toBeGreaterThan(compared / 4);
    expect(failed).toBeGreaterThan(compared / 4);
  });

  it('gives up on a buffer decode refuses, and the outcome is that error', () => {
    const { program, raw } = runs.find((r) => r.program.steps.some((s) => s.expect)) as Run;
    const broken = raw.slice();
    new Int32Array(broken.buffer)[LAYOUT.hMagic] = 0;
    expect(checkRaw(program, broken)).toBeUndefined();
    const short = raw.slice(0, raw.byteLength - 8);
    expect(checkRaw(program, short)).toBeUndefined();
    const misaligned = new Uint8Array(raw.byteLength + 1).subarray(1);
    misaligned.set(raw);
    expect(checkRaw(program, misaligned)).toBeUndefined();
  });

  it('gives up on a run that stopped early without an error', () => {
    const { program, raw } = runs.find((r) => checkRaw(r.program, r.raw) !== undefined && r.program.steps.length > 1) as Run;
    expect(
      checkRaw({ ...program, steps: [...program.steps, { span: program.steps[0].span, end: 0, setup: false, expect: { kind: 'ok' } }] }, raw),
    ).toBeUndefined();
  });
});
