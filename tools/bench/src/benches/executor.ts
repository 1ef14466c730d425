// The executor beside the C reference loop, in one invocation:
//   c_scenarios_per_s         tools/c-reference looping the five founding experiments with capture
//   executor_scenarios_per_s  the same five Programs in batches of 500, one runBatch() call each
//                             into a reused buffer, on one worker thread that isolate()s (what
//                             a pool worker does), capture on
//   executor_vs_c             the ratio (goal: at least 0.8)
//   *_per_cpu_s, executor_vs_c_cpu  the same per second of CPU time used (steady under load)
// Both sides run in a fresh network namespace of their own when permitted, warm up with 1000
// scenarios, and alternate ROUNDS times for ROUND_S seconds each; the best round of each side
// counts (other load only ever slows a round).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Bench, Report } from '../bench';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const C_REFERENCE = path.join(ROOT, 'tools', 'c-reference', 'build', 'c-reference');
const ROUND_S = 3;
const ROUNDS = 3;

interface Rate {
  /** Scenarios per second of wall time. */
  wall: number;
  /** Scenarios per second of CPU time of the thread (or process) that ran them. */
  cpu: number;
}

function cReference(capture: boolean): Rate {
  const args = ['--seconds', String(ROUND_S), '--netns', ...(capture ? ['--capture'] : [])];
  const out = execFileSync(C_REFERENCE, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const wall = /c_scenarios_per_s\s+([\d.]+)/.exec(out);
  const cpu = /c_scenarios_per_cpu_s\s+([\d.]+)/.exec(out);
  if (!wall || !cpu) throw new Error(`c-reference printed no rate: ${out}`);
  return { wall: Number(wall[1]), cpu: Number(cpu[1]) };
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
const BATCH = 500;
const batch = ex.packBatch(Array.from({ length: BATCH }, (_, i) => ({ program: programs[i % 5], family: 'tcp' })));
let out = new Uint8Array(4 << 20);
let captured = true, reason;
for (let i = 0; i < 2; i++) {
  const raw = ex.runBatch(batch, { out });
  if (raw.buffer !== out.buffer) out = new Uint8Array(raw.byteLength * 2);
  for (const v of ex.readBatch(raw, BATCH)) {
    if (v.error) throw new Error(v.error);
    if (!v.captured) { captured = false; reason = v.captureReason; }
  }
}
// ns this thread has run on a CPU (the first field of schedstat).
const cpuNs = () => Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
parentPort.on('message', (seconds) => {
  let n = 0;
  const cpu0 = cpuNs();
  const t0 = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let t = t0;
  while (t - t0 < limit) {
    ex.runBatch(batch, { out });
    n += BATCH;
    t = process.hrtime.bigint();
  }
  const cpu = (cpuNs() - cpu0) / 1e9;
  parentPort.postMessage({ n, s: Number(t - t0) / 1e9, cpu, netns: iso.netns, captured, reason });
});
parentPort.postMessage('ready');
`;

interface Round {
  n: number;
  s: number;
  cpu: number;
  netns: boolean;
  captured: boolean;
  reason?: string;
}

function startWorker(): Promise<{ worker: Worker; round: (seconds: number) => Promise<Round> }> {
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
    {
      const c: Rate = { wall: 0, cpu: 0 };
      const ex: Rate = { wall: 0, cpu: 0 };
      for (let i = 0; i < ROUNDS; i++) {
        let cr: Rate;
        try {
          cr = cReference(capture);
        } catch (err) {
          if (!capture) throw err;
          process.stderr.write('bench executor: the C reference cannot capture here (no CAP_NET_RAW?); measuring it without\n');
          capture = false;
          cr = cReference(capture);
        }
        c.wall = Math.max(c.wall, cr.wall);
        c.cpu = Math.max(c.cpu, cr.cpu);
        // A fresh worker (and so a fresh namespace) per round, as the C loop gets a fresh process:
        // TIME_WAIT sockets of earlier rounds would otherwise slow every later bind and connect.
        const { worker, round } = await startWorker();
        const r = await round(ROUND_S).finally(() => worker.terminate());
        if (!r.captured) process.stderr.write(`bench executor: the executor ran without capture: ${String(r.reason)}\n`);
        if (i === 0) process.stderr.write(`bench executor: worker netns ${String(r.netns)}, capture ${String(r.captured)}\n`);
        ex.wall = Math.max(ex.wall, r.n / r.s);
        ex.cpu = Math.max(ex.cpu, r.n / r.cpu);
      }
      report('c_scenarios_per_s', Math.round(c.wall), 'scenarios/s');
      report('executor_scenarios_per_s', Math.round(ex.wall), 'scenarios/s');
      report('executor_vs_c', ex.wall / c.wall);
      // The same per second of CPU used: what the machine's other load cannot blur.
      report('c_scenarios_per_cpu_s', Math.round(c.cpu), 'scenarios/s');
      report('executor_scenarios_per_cpu_s', Math.round(ex.cpu), 'scenarios/s');
      report('executor_vs_c_cpu', ex.cpu / c.cpu);
    }
  },
};
