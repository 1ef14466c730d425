// The model (@epl/model) against the kernel on generated Programs: the generator's sequences,
// fixed seeds, every family. Pure ACKs the model marks timing-dependent may land or not (counted,
// never a disagreement); every step's result and ready list must agree. Also: the lean
// predictions the oracle makes give the same answers as explaining ones.
import { compare, predict } from '@epl/model';
import { FAMILIES } from '@epl/program';
import { Lane } from '@epl/pool';
import { generateMany } from '../src/generate';

const SEED = 'model-property';
const COUNT = 300;

test.each(FAMILIES)(
  `model equals kernel on ${COUNT} generated sequences (seed ${SEED}, %s)`,
  async (family) => {
    const seqs = generateMany(SEED, COUNT);
    let steps = 0;
    let wireSteps = 0;
    let wireAgree = 0;
    let timing = 0;
    const differences: string[] = [];
    const lane = new Lane();
    try {
      for await (const r of lane.run(seqs.map((program) => ({ program, family })))) {
        const result = r.view?.toResult();
        if (!result || result.error) {
          differences.push(`sequence ${r.id}: ${result?.error ?? r.lost ?? 'no result'}`);
          continue;
        }
        const c = compare(seqs[r.id], result, predict(seqs[r.id], family, { explain: false }));
        c.steps.forEach((s, i) => {
          steps++;
          if (!s.agree.result || s.agree.ready === false) differences.push(`sequence ${r.id} [${family}] step ${i + 1}: ${s.differences.join('; ')}`);
          if (s.agree.wire !== null) {
            wireSteps++;
            if (s.agree.wire) wireAgree++;
          }
          timing += s.timing;
        });
      }
    } finally {
      await lane.close();
    }
    expect(steps).toBeGreaterThan(COUNT * 20);
    expect(differences).toEqual([]);
    if (wireSteps) expect(wireAgree / wireSteps).toBeGreaterThanOrEqual(0.99);
    process.stdout.write(`${family}: ${steps} steps agree; wire ${wireAgree}/${wireSteps}; ${timing} timing-dependent segments landed\n`);
  },
  120_000,
);

test('a lean prediction (what the oracle makes) gives the same answers as an explaining one', () => {
  for (const seq of generateMany('lean', 300)) {
    for (const family of FAMILIES) {
      const full = predict(seq, family);
      const lean = predict(seq, family, { explain: false });
      expect(lean.steps.map((s) => [s.result, s.ready, s.wire, s.mayLand, s.ifAcksLand])).toEqual(
        full.steps.map((s) => [s.result, s.ready, s.wire, s.mayLand, s.ifAcksLand]),
      );
    }
  }
});
