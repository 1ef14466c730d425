// The executor beside the C reference loop, in one invocation:
//   c_scenarios_per_s         tools/c-reference looping the five founding experiments with capture
//   executor_scenarios_per_s  the same five Programs through one run() call each, on one worker
//                             thread that isolate()s (as the pool's workers do), capture on
//   executor_vs_c             the ratio (goal: at least 0.8)
// Both sides run in a network namespace of their own when permitted, and alternate twice for
// ROUND_S seconds each; the best round of each side counts (other load only ever slows a round).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Bench, Report } from '../bench';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const C_REFERENCE = path.join(ROOT, 'tools', 'c-reference', 'build', 'c-reference');
const ROUND_S = 3;
const ROUNDS = 2;

function cReference(capture: boolean): number {
  const args = ['--seconds', String(ROUND_S), '--netns', ...(capture ? ['--capture'] : [])];
  const out = execFileSync(C_REFERENCE, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const m = /c_scenarios_per_s\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`c-reference printed no rate: ${out}`);
  return Number(m[1]);
}

// The worker: isolate, build the founding Programs, warm up, then run them back to back.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ex = require(workerData.executor);
const { ProgramBuilder } = require(workerData.program);
const iso = ex.isolate();
const ALL = 0x1 | 0x4 | 0x8 | 0x10 | 0x2000;
const steps = [
  [['shutdown', ['5', 0]], ['read', ['5', 1]], ['write', ['6', 'a']], ['read', ['5', 1]], ['close', ['5']]],
  [['shutdown', ['5', 1]], ['write', ['5', 'a']], ['read', ['6', 1]], ['write', ['6', 'a']], ['read', ['5', 1]], ['close', ['5']], ['write', ['6', 'a']]],
  [['dup', ['5', '7'], 1], ['add', ['3', '7', ALL, '7']], ['write', ['6', 'a']], ['read', ['5', 1]], ['close', ['5']], ['del', ['3', '5']], ['close', ['7']]],
  [['dup', ['5', '7'], 1], ['add', ['3', '7', ALL, '7'], 1], ['shutdown', ['7', 0]]],
  [['dup', ['5', '7'], 1], ['add', ['3', '7', ALL, '7'], 1], ['shutdown', ['7', 1]]],
];
const programs = steps.map((rows) => {
  const b = new ProgramBuilder().op('tcp', ['5', '6']).op('epoll', ['3']).op('add', ['3', '5', ALL, '5']).op('add', ['3', '6', ALL, '6']).op('wait', ['3', 8, 0]);
  for (const [name, operands, noWait] of rows) { b.op(name, operands); if (!noWait) b.op('wait', ['3', 8, 0]); }
  return b.build();
});
let captured = true, reason;
for (let i = 0; i < 2000; i++) {
  const r = ex.run(programs[i % 5]);
  if (r.error) throw new Error(r.error);
  if (!r.wire.captured) { captured = false; reason = r.wire.reason; }
}
parentPort.on('message', (seconds) => {
  let n = 0;
  const t0 = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let t = t0;
  while (t - t0 < limit) {
    for (let k = 0; k < 5; k++) ex.run(programs[k]);
    n += 5;
    t = process.hrtime.bigint();
  }
  parentPort.postMessage({ n, s: Number(t - t0) / 1e9, netns: iso.netns, captured, reason });
});
parentPort.postMessage('ready');
`;

interface Round {
  n: number;
  s: number;
  netns: boolean;
  captured: boolean;
  reason?: string;
}

function startWorker(): Promise<{ worker: Worker; round(seconds: number): Promise<Round> }> {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { executor: require.resolve('@epl/executor'), program: require.resolve('@epl/program') },
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => {
      resolve({
        worker,
        round: (seconds) =>
          new Promise((done, fail) => {
            worker.once('message', done);
            worker.once('error', fail);
            worker.postMessage(seconds);
          }),
      });
    });
  });
}

export const bench: Bench = {
  id: 'executor',
  async run(report: Report): Promise<void> {
    if (!existsSync(C_REFERENCE)) throw new Error(`${C_REFERENCE} is not built: run \`npm install\` at the repository root`);
    let capture = true;
    const { worker, round } = await startWorker();
    try {
      let c = 0;
      let ex = 0;
      for (let i = 0; i < ROUNDS; i++) {
        try {
          c = Math.max(c, cReference(capture));
        } catch (err) {
          if (!capture) throw err;
          process.stderr.write('bench executor: the C reference cannot capture here (no CAP_NET_RAW?); measuring it without\n');
          capture = false;
          c = Math.max(c, cReference(capture));
        }
        const r = await round(ROUND_S);
        if (!r.captured) process.stderr.write(`bench executor: the executor ran without capture: ${r.reason}\n`);
        if (i === 0) process.stderr.write(`bench executor: worker netns ${r.netns}, capture ${r.captured}\n`);
        ex = Math.max(ex, r.n / r.s);
      }
      report('c_scenarios_per_s', Math.round(c), 'scenarios/s');
      report('executor_scenarios_per_s', Math.round(ex), 'scenarios/s');
      report('executor_vs_c', ex / c);
    } finally {
      await worker.terminate();
    }
  },
};
