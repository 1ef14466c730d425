// The pool through the real executor: no mock anywhere on the kernel path.
import { release } from 'node:os';
import { ProgramBuilder } from '@epl/program';
import type { ProgramCode } from '@epl/program';
import type { ResultView } from '@epl/executor';
import { Pool, TEST_CRASH_OPCODE } from '../src';
import { batchSize } from '../src/pool';
import { Spares } from '../src/spares';
import { counter, jobs, numbered, runAll } from './helpers';

const crashing: ProgramCode = { code: Int32Array.of(TEST_CRASH_OPCODE, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };

describe('Pool', () => {
  let pool: Pool;
  let small: Pool;
  beforeAll(() => {
    // Read by the workers when they start: lets `crashing` make a worker exit.
    process.env.EPL_POOL_TEST_HOOKS = '1';
    pool = new Pool({ workers: 2, budgetMs: 300, marginMs: 200 });
    small = new Pool({ workers: 2, budgetMs: 300, marginMs: 200, batchSize: 4 });
  });
  afterAll(async () => {
    await Promise.all([pool.close(), small.close()]);
    delete process.env.EPL_POOL_TEST_HOOKS;
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
    for await (const { id, view, lost } of small.run(jobs(programs))) {
      expect(lost).toBeUndefined();
      expect(view?.error).toBeUndefined();
      expect(seen.has(id)).toBe(false);
      seen.set(id, counter(view!));
    }
    expect(seen.size).toBe(50);
    for (const [id, n] of seen) expect(n).toBe(id + 1);
  });

  it('leaves the caller its Programs intact (only copies are transferred)', async () => {
    const programs = Array.from({ length: 20 }, (_, i) => numbered(100 + i));
    const before = programs.map((p) => Array.from(p.code));
    const results = await runAll(pool, jobs(programs));
    expect(results.map((r) => counter(r.view!))).toEqual(programs.map((_, i) => 100 + i));
    expect(programs.map((p) => Array.from(p.code))).toEqual(before);
  });

  it('packs later batches into the buffers of earlier ones, whatever their sizes', async () => {
    // Programs of varied lengths and strings in batches of 4: each batch reuses (larger or
    // exactly fitting) buffers of finished ones, whose stale contents must never show.
    const programs = Array.from({ length: 300 }, (_, i) => {
      const b = new ProgramBuilder().op('eventfd', ['e', i + 1]);
      for (let k = 0; k < i % 7; k++) b.op('pipe', [`r${k}`, `w${k}`]).op('write', [`w${k}`, 'x'.repeat(1 + ((i + k) % 13))]);
      return b.op('read', ['e', 8]).build();
    });
    const results = await runAll(small, jobs(programs));
    results.forEach(({ view }, i) => {
      expect(view!.error).toBeUndefined();
      expect(view!.stepCount).toBe(programs[i].steps.length);
      expect(Buffer.from(view!.bytesOf(view!.stepCount - 1) ?? []).readUInt32LE(0)).toBe(i + 1);
      for (let k = 2; k < view!.stepCount - 1; k += 2) expect(view!.ret(k)).toBe(1 + ((i + k / 2 - 1) % 13));
    });
  });

  it('hands reply memory back to the workers once the consumer is past it; a view is good until then', async () => {
    const handed = jest.spyOn(Spares.prototype, 'takeReply');
    try {
      const programs = Array.from({ length: 400 }, (_, i) => numbered(i + 1));
      const kept: { id: number; n: number; view: ResultView }[] = [];
      for await (const r of small.run(jobs(programs))) kept.push({ id: r.id, n: counter(r.view!), view: r.view! });
      expect(handed.mock.results.filter((r) => r.value !== undefined).length).toBeGreaterThan(50);
      // Read while current, every view said its own number.
      for (const k of kept) expect(k.n).toBe(k.id + 1);
      // Kept past next(), a view points into memory handed back to a worker: reading it fails
      // (the memory was transferred) or shows another batch's number. The contract is real.
      const stale = kept.filter((k) => {
        try {
          return counter(k.view) !== k.id + 1;
        } catch {
          return true;
        }
      });
      expect(stale.length).toBeGreaterThan(0);
    } finally {
      handed.mockRestore();
    }
  });

  it('a consumer may stop iterating early; the pool goes on', async () => {
    const programs = Array.from({ length: 400 }, (_, i) => numbered(i + 1));
    let seen = 0;
    for await (const { view } of small.run(jobs(programs))) {
      expect(view?.error).toBeUndefined();
      if (++seen === 3) break;
    }
    const again = await runAll(pool, jobs(programs.slice(0, 10)));
    expect(again.map((r) => counter(r.view!))).toEqual(programs.slice(0, 10).map((_, i) => i + 1));
  });

  it('runs each job with its own family', async () => {
    const p = new ProgramBuilder().op('pair', ['a', 'b']).build();
    const out = await runAll(pool, [
      { program: p, family: 'unix' },
      { program: p, family: 'tcp6' },
    ]);
    expect(out.map((r) => [r.view!.family, r.view!.errno(0)])).toEqual([
      ['unix', 0],
      ['tcp6', 0],
    ]);
  });

  it('a worker that dies makes that scenario lost; the rest of the batch and the run go on', async () => {
    // 10 batches on 2 workers that take 2 each: some wait behind the crashing one and must run too.
    const programs = Array.from({ length: 40 }, (_, i) => (i === 5 || i === 22 ? crashing : numbered(i + 1)));
    const results = await runAll(small, jobs(programs));
    expect(results[5].lost).toMatch(/worker died while running this scenario/);
    expect(results[22].lost).toMatch(/worker died while running this scenario/);
    results.forEach((r, i) => {
      if (i !== 5 && i !== 22) expect([r.lost, r.view?.error, counter(r.view!)]).toEqual([undefined, undefined, i + 1]);
    });
    // The pool replaced the worker and still runs.
    expect((await runAll(small, jobs([numbered(7)]))).map((r) => counter(r.view!))).toEqual([7]);
  });

  it('a Program over its time budget is stopped and reported lost; the others complete', async () => {
    const slow = new ProgramBuilder().op('sleep', [1500]).build();
    const results = await runAll(small, jobs([numbered(1), slow, numbered(3), numbered(4)]));
    expect(results[1].lost).toMatch(/over its time budget \(300 ms/);
    expect([0, 2, 3].map((i) => [results[i].lost, counter(results[i].view!)])).toEqual([
      [undefined, 1],
      [undefined, 3],
      [undefined, 4],
    ]);
  });

  it('a malformed Program is the executor’s error in its results, not a lost scenario', async () => {
    const bad: ProgramCode = { code: Int32Array.of(999, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };
    const [r, ok] = await runAll(pool, jobs([bad, numbered(2)]));
    expect(r.lost).toBeUndefined();
    expect(r.view!.error).toMatch(/unknown opcode 999/);
    expect(counter(ok.view!)).toBe(2);
  });

  it('makes smaller batches when results are big, so replies stay bounded', async () => {
    // Each result keeps 64 KiB of bytes (read 65536 from a full pipe): at most 8 MiB a reply.
    const big = new ProgramBuilder().op('pipe', ['r', 'w']).op('write_n', ['w', 65536]).op('read', ['r', 65536]).build();
    const seen: number[] = [];
    const bigPool = new Pool({ workers: 1 });
    try {
      for await (const r of bigPool.run(jobs(new Array<ProgramCode>(600).fill(big)))) {
        expect(r.view!.bytesLength(2)).toBe(65536);
        seen.push(r.id);
      }
    } finally {
      await bigPool.close();
    }
    expect(seen).toHaveLength(600);
  });

  it('sizes batches by count, then by the bytes results take', () => {
    expect([batchSize(600, 1, 0), batchSize(10, 2, 0), batchSize(1e6, 2, 0)]).toEqual([150, 8, 512]);
    expect(batchSize(600, 1, 65_700)).toBe(127);
    expect(batchSize(600, 1, 64 << 20)).toBe(1);
  });
});
