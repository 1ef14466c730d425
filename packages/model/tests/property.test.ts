// The model against the kernel on generated Programs: the fuzzer's generator, fixed seeds, every
// family. Pure ACKs the model marks timing-dependent may land or not (counted, never a
// disagreement); every step's result and ready list must agree.
import { generateMany } from '@epl/fuzz';
import { FAMILIES } from '@epl/program';
import { Lane } from '@epl/pool';
import { runAndCompare, tally } from './kernel';

const SEED = 'model-property';
const COUNT = 300;

test.each(FAMILIES)(
  `model equals kernel on ${COUNT} generated sequences (seed ${SEED}, %s)`,
  async (family) => {
    const seqs = generateMany(SEED, COUNT);
    const t = tally();
    const lane = new Lane();
    try {
      await runAndCompare(lane, seqs, family, t, (i) => `sequence ${i}`);
    } finally {
      await lane.close();
    }
    expect(t.steps).toBeGreaterThan(COUNT * 20);
    expect(t.differences).toEqual([]);
    if (t.wireSteps) expect(t.wireAgree / t.wireSteps).toBeGreaterThanOrEqual(0.99);
    process.stdout.write(`${family}: ${t.steps} steps agree; wire ${t.wireAgree}/${t.wireSteps}; ${t.timing} timing-dependent segments landed\n`);
  },
  120_000,
);
