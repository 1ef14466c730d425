// The model beside the kernel, on the same generated Programs (the fuzzer's generator, 30 ops,
// families tcp and unix), one core each:
//   model_kernel_runs_per_s          the Programs through run() on one worker thread that isolate()s
//                                    (its own descriptor table and namespace, capture on, as the
//                                    pool's workers run them)
//   model_predictions_per_s          predict() with explain: false, as an oracle calls it (answers only)
//   model_explain_predictions_per_s  predict() with its reasons and the state after every step
//   model_vs_kernel                  lean predictions over kernel runs, per CPU second (goal: 20)
//   model_explain_vs_kernel          the same for explaining predictions
//   *_per_cpu_s                      the rates per second of CPU time of the thread that did the work
// The sides alternate ROUNDS times; the best round of each counts (other load only slows a round).
// Rates per CPU second are the ones to compare: wall rates follow the machine's load.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Bench, Report } from '../bench';

const COUNT = 2000;
const ROUNDS = 3;
const FAMILIES = ['tcp', 'unix'] as const;

/** ns this thread has run on a CPU (the first field of schedstat). */
function cpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

interface Rate {
  wall: number;
  cpu: number;
}

const better = (a: Rate, b: Rate): Rate => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) });

// The kernel side: isolate, then run every Program once per round.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ex = require(workerData.executor);
const iso = ex.isolate();
const cpuNs = () => Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const programs = workerData.programs;
for (const p of programs.slice(0, 200)) ex.run(p, { family: workerData.family });
parentPort.on('message', () => {
  const cpu0 = cpuNs();
  const t0 = process.hrtime.bigint();
  for (const p of programs) ex.run(p, { family: workerData.family });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  parentPort.postMessage({ n: programs.length, s, cpu: (cpuNs() - cpu0) / 1e9, netns: iso.netns });
});
parentPort.postMessage('ready');
`;

async function kernelRound(programs: readonly unknown[], family: string): Promise<Rate> {
  const worker = new Worker(WORKER, { eval: true, workerData: { executor: require.resolve('@epl/executor'), programs, family } });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => {
        resolve();
      });
    });
    const r = await new Promise<{ n: number; s: number; cpu: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage('go');
    });
    return { wall: r.n / r.s, cpu: r.n / r.cpu };
  } finally {
    await worker.terminate();
  }
}

function modelRound(programs: readonly import('@epl/model').ModelProgram[], family: 'tcp' | 'unix', explain: boolean): Rate {
  const { predict } = require('@epl/model') as typeof import('@epl/model');
  const cpu0 = cpuNs();
  const t0 = process.hrtime.bigint();
  for (const p of programs) predict(p, family, { explain });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { wall: programs.length / s, cpu: programs.length / ((cpuNs() - cpu0) / 1e9) };
}

export const bench: Bench = {
  id: 'model',
  async run(report: Report): Promise<void> {
    const { generateMany } = require('@epl/fuzz') as typeof import('@epl/fuzz');
    const { predict } = require('@epl/model') as typeof import('@epl/model');
    const programs = generateMany('bench-model', COUNT);
    const zero: Rate = { wall: 0, cpu: 0 };
    const totals = { kernel: 0, lean: 0, explain: 0, kernelWall: 0, leanWall: 0, explainWall: 0 };
    for (const family of FAMILIES) {
      let kernel = zero;
      let lean = zero;
      let explain = zero;
      // Warm the model up as the worker warms the executor up.
      for (const p of programs.slice(0, 500)) predict(p, family);
      for (let i = 0; i < ROUNDS; i++) {
        kernel = better(kernel, await kernelRound(programs, family));
        lean = better(lean, modelRound(programs, family, false));
        explain = better(explain, modelRound(programs, family, true));
      }
      process.stderr.write(
        `bench model ${family}: kernel ${kernel.cpu.toFixed(0)}/cpu-s, model ${lean.cpu.toFixed(0)}/cpu-s (explaining ${explain.cpu.toFixed(0)})\n`,
      );
      // Time per Program adds up across families: rates combine harmonically.
      totals.kernel += 1 / kernel.cpu;
      totals.lean += 1 / lean.cpu;
      totals.explain += 1 / explain.cpu;
      totals.kernelWall += 1 / kernel.wall;
      totals.leanWall += 1 / lean.wall;
      totals.explainWall += 1 / explain.wall;
    }
    const n = FAMILIES.length;
    report('model_kernel_runs_per_s', n / totals.kernelWall, 'runs/s');
    report('model_kernel_runs_per_cpu_s', n / totals.kernel, 'runs/cpu-s');
    report('model_predictions_per_s', n / totals.leanWall, 'predictions/s');
    report('model_predictions_per_cpu_s', n / totals.lean, 'predictions/cpu-s');
    report('model_explain_predictions_per_s', n / totals.explainWall, 'predictions/s');
    report('model_explain_predictions_per_cpu_s', n / totals.explain, 'predictions/cpu-s');
    report('model_vs_kernel', totals.kernel / totals.lean);
    report('model_explain_vs_kernel', totals.kernel / totals.explain);
  },
};
