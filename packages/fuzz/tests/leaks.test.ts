import { Pool } from '@epl/pool';
import { onPool } from '../src/runs';
import { generateMany } from '../src/generate';
import { grown, isolatedFdCounts } from '../src/leaks';

jest.setTimeout(60_000);

describe('isolatedFdCounts', () => {
  it('sees each isolated pool worker, never the main thread, and counts that hold while the pool is idle', async () => {
    const pool = new Pool({ workers: 1 });
    const runner = onPool(pool);
    try {
      await runner.runAll(generateMany('leaks', 200), { family: 'tcp' });
      const a = isolatedFdCounts();
      await runner.runAll(generateMany('leaks2', 500), { family: 'unix' });
      const b = isolatedFdCounts();
      expect(a.size).toBe(1);
      expect(a.has(process.pid)).toBe(false);
      expect(b).toEqual(a);
      expect(grown(a, b)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe('grown', () => {
  it('lists threads present in both snapshots whose count grew', () => {
    const before = new Map([
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
    const after = new Map([
      [1, 10],
      [2, 12],
      [4, 99],
    ]);
    expect(grown(before, after)).toEqual([{ tid: 2, before: 10, after: 12 }]);
  });
});
