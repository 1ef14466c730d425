// A 10-second fuzzing campaign on 2 workers, as `epl fuzz --time 10 --workers 2` runs it
// (generation, pool, oracles, corpus; shrinking of what it finds), without writing files:
//   fuzz_sequences_per_s  sequences generated, run and judged per second of fuzzing
//   fuzz_ops_per_s        ops executed per second (first runs and re-runs)
//   fuzz_signatures       distinct behaviour signatures seen
//   fuzz_shrink_ratio     mean shrunk length / original length over the findings
import type { Bench, Report } from '../bench';

const SECONDS = 10;
const WORKERS = 2;

export const bench: Bench = {
  id: 'fuzz',
  async run(report: Report): Promise<void> {
    const { Pool } = require('@epl/pool') as typeof import('@epl/pool');
    const { Campaign, isolatedFdCounts, onPool } = require('@epl/fuzz') as typeof import('@epl/fuzz');
    const pool = new Pool({ workers: WORKERS });
    try {
      await pool.isolation(); // workers started, isolated and loaded before the clock starts
      const campaign = new Campaign(onPool(pool), { seed: 'bench', timeSec: SECONDS, fdCounts: isolatedFdCounts });
      const s = await campaign.run();
      const secs = s.fuzzMs / 1000;
      report('fuzz_sequences_per_s', s.sequences / secs, 'seq/s');
      report('fuzz_ops_per_s', s.ops / secs, 'ops/s');
      report('fuzz_signatures', s.signatures);
      report('fuzz_shrink_ratio', Number.isNaN(s.shrinkRatio) ? 1 : s.shrinkRatio);
    } finally {
      await pool.close();
    }
  },
};
