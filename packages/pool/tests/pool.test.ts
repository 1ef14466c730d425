// The pool through the real executor: no mock anywhere on the kernel path.
import { release } from 'node:os';
import { ProgramBuilder } from '@epl/program';
import type { ProgramCode } from '@epl/program';
import { Spares } from '../src/batch';
import { Pool } from '../src/pool';
import type { PoolResult } from '../src/pool';
import { TEST_CRASH_OPCODE } from '../src/protocol';

/** A Program whose result tells which one it was: an eventfd holding `n`, read back. */
function numbered(n: number): ProgramCode {
  return new ProgramBuilder().op('eventfd', ['e', n]).op('read', ['e', 8]).op('close', ['e']).build();
}
const counter = (r: { steps: readonly { bytes?: Uint8Array }[] }) => Buffer.from(r.steps[1].bytes ?? []).readUInt32LE(0);

const crashing: ProgramCode = { code: Int32Array.of(TEST_CRASH_OPCODE, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };

describe('Pool', () => {
  let pool: Pool;
  beforeAll(() => {
    // Read by the workers when they start: lets `crashing` make a worker exit.
    process.env.EPL_RUNNER_TEST_HOOKS = '1';
    pool = new Pool({ workers: 2, budgetMs: 300, marginMs: 200 });
  });
  afterAll(async () => {
    await pool.close();
    delete process.env.EPL_RUNNER_TEST_HOOKS;
  });

  it('tells what the workers obtained', async () => {
    const iso = await pool.isolation();
    expect(iso.files).toBe(true);
    expect(iso.kernel).toBe(release());
    expect(typeof iso.wire.captured).toBe('boolean');
    if (!iso.wire.captured) expect(iso.wire.reason).toBeTruthy();
  });

  it('yields every Program once, with its index, in small batches', async () => {
    const programs = Array.from({ length: 50 }, (_, i) => numbered(i + 1));
    const seen = new Map<number, number>();
    for await (const { id, result } of pool.run(programs, { batchSize: 3 })) {
      expect(result.error).toBeUndefined();
      expect(seen.has(id)).toBe(false);
      seen.set(id, counter(result));
    }
    expect(seen.size).toBe(50);
    for (const [id, n] of seen) expect(n).toBe(id + 1);
  });

  it('runAll returns the results in input order; the caller keeps its Programs intact', async () => {
    const programs = Array.from({ length: 20 }, (_, i) => numbered(100 + i));
    const before = programs.map((p) => Array.from(p.code));
    const results = await pool.runAll(programs);
    expect(results.map(counter)).toEqual(programs.map((_, i) => 100 + i));
    // Only copies were transferred: the caller's buffers are not detached.
    expect(programs.map((p) => Array.from(p.code))).toEqual(before);
  });

  it('packs later batches into the buffers of earlier ones, whatever their sizes', async () => {
    // Programs of varied lengths and strings in batches of 5: each batch reuses (larger or
    // exactly fitting) buffers of finished ones, whose stale contents must never show.
    const programs = Array.from({ length: 300 }, (_, i) => {
      const b = new ProgramBuilder().op('eventfd', ['e', i + 1]);
      for (let k = 0; k < i % 7; k++) b.op('pipe', [`r${k}`, `w${k}`]).op('write', [`w${k}`, 'x'.repeat(1 + ((i + k) % 13))]);
      return b.op('read', ['e', 8]).build();
    });
    const results = await pool.runAll(programs, { batchSize: 5 });
    results.forEach((r, i) => {
      expect(r.error).toBeUndefined();
      expect(r.steps.length).toBe(programs[i].steps.length);
      expect(Buffer.from(r.steps[r.steps.length - 1].bytes ?? []).readUInt32LE(0)).toBe(i + 1);
      r.steps.forEach((s, k) => {
        if (k > 0 && k % 2 === 0 && k < r.steps.length - 1) expect(s.ret).toBe(1 + ((i + k / 2 - 1) % 13));
      });
    });
  });

  it('hands reply buffers back to the workers; every result keeps its own bytes', async () => {
    // Kept and decoded only after the whole run: a result still pointing into a reply buffer
    // that a worker had written a later batch into would show that batch's numbers.
    const handed = jest.spyOn(Spares.prototype, 'takeReply');
    try {
      const programs = Array.from({ length: 400 }, (_, i) => numbered(i + 1));
      const kept: PoolResult[] = [];
      for await (const r of pool.run(programs, { batchSize: 4 })) kept.push(r);
      expect(handed.mock.results.filter((r) => r.value !== undefined).length).toBeGreaterThan(50);
      expect(new Set(kept.map((r) => r.raw?.buffer)).size).toBe(400);
      for (const r of kept) expect(counter(r.result)).toBe(r.id + 1);
    } finally {
      handed.mockRestore();
    }
  });

  it('a consumer may stop iterating early; the pool goes on', async () => {
    const programs = Array.from({ length: 400 }, (_, i) => numbered(i + 1));
    let seen = 0;
    for await (const { result } of pool.run(programs, { batchSize: 4 })) {
      expect(result.error).toBeUndefined();
      if (++seen === 3) break;
    }
    const again = await pool.runAll(programs.slice(0, 10));
    expect(again.map(counter)).toEqual(programs.slice(0, 10).map((_, i) => i + 1));
  });

  it('passes the family to the executor', async () => {
    const p = new ProgramBuilder().op('pair', ['a', 'b']).build();
    const [r] = await pool.runAll([p], { family: 'unix' });
    expect(r.family).toBe('unix');
    expect(r.steps[0].errno).toBe(0);
  });

  it("a worker that dies is that scenario's error; the rest of the batch and the run go on", async () => {
    // 10 batches on 2 workers that take 2 each: some wait behind the crashing one and must run too.
    const programs = Array.from({ length: 40 }, (_, i) => (i === 5 || i === 22 ? crashing : numbered(i + 1)));
    const results = await pool.runAll(programs, { batchSize: 4 });
    expect(results[5].error).toMatch(/worker died while running this scenario/);
    expect(results[22].error).toMatch(/worker died while running this scenario/);
    results.forEach((r, i) => {
      if (i !== 5 && i !== 22) expect([r.error, counter(r)]).toEqual([undefined, i + 1]);
    });
    // The pool replaced the worker and still runs.
    expect((await pool.runAll([numbered(7)])).map(counter)).toEqual([7]);
  });

  it('a Program over its time budget is stopped and reported; the others complete', async () => {
    const slow = new ProgramBuilder().op('sleep', [1500]).build();
    const programs = [numbered(1), slow, numbered(3), numbered(4)];
    const results = await pool.runAll(programs, { batchSize: 4 });
    expect(results[1].error).toMatch(/over its time budget \(300 ms/);
    expect([0, 2, 3].map((i) => [results[i].error, counter(results[i])])).toEqual([
      [undefined, 1],
      [undefined, 3],
      [undefined, 4],
    ]);
  });

  it('a malformed Program is reported by the executor, not as a crash', async () => {
    const bad: ProgramCode = { code: Int32Array.of(999, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };
    const [r, ok] = await pool.runAll([bad, numbered(2)]);
    expect(r.error).toBeTruthy();
    expect(r.error).not.toMatch(/worker died/);
    expect(counter(ok)).toBe(2);
  });
});
