// The runner's throughput beside the C reference loop, in one invocation:
//   run_scenarios_per_s_w1/_w2  the founding suite through the pool with every result checked
//                               as it arrives (what `epl run` does per result) with 1 and 2 workers
//   c_reference_scenarios_per_s the C loop (tools/c-reference) on this machine, measured right
//                               before and right after the 2-worker run (the mean)
//   run_vs_c_per_core           scenarios/s with all workers / (workers × C loop)
//   run_scenarios_per_cpu_s, run_vs_c_cpu  the same per second of CPU time (steady under load)
//   c_reference_parallel_scenarios_per_s   as many C loops at once as there are workers, summed
//   c_parallel_vs_c_per_core    that / (workers × C loop): the machine's own ceiling for R
//   run_vs_c_parallel           scenarios/s with all workers / the C loops at once
//   single_file_ms              wall time of `epl run scenarios/founding/founding.epl` (median),
//                               through the `epl` command (packages/cli/bin/epl)
//   node_startup_ms             wall time of `node -e 0` (median) in the environment the `epl`
//                               command gives node: the floor under single_file_ms
//   single_file_over_node_ms    epl's own share: the median of single_file - node_startup over
//                               runs back to back (the commands are measured alternately)
//   single_file_direct_ms       `node packages/cli/bin/epl.js run …` in the environment as it is:
//                               what the launcher's dropping NODE_EXTRA_CA_CERTS saves, when set
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { Program } from '@epl/program';
import type { Bench, Report } from '../bench';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const FOUNDING = path.join(ROOT, 'scenarios', 'founding', 'founding.epl');
const C_REFERENCE = path.join(ROOT, 'tools', 'c-reference', 'build', 'c-reference');
/** The `epl` command (a launcher) and the script it starts. */
const EPL = path.join(ROOT, 'packages', 'cli', 'bin', 'epl');
const EPL_JS = path.join(ROOT, 'packages', 'cli', 'bin', 'epl.js');
/** Scenarios per measured run: long enough that start-up and the last batch do not matter. */
const SCENARIOS = 20000;

interface Rate {
  /** Scenarios per second of wall time. */
  wall: number;
  /** Scenarios per second of CPU time (all threads): what the machine's other load cannot blur. */
  cpu: number;
}

/** The C loop's arguments under the pool's conditions (capture and network namespace as the workers have them). */
function cArgs(capture: boolean, netns: boolean): string[] {
  return ['--seconds', '3', ...(capture ? ['--capture'] : []), ...(netns ? ['--netns'] : [])];
}

/** The rates a C loop printed; undefined when it printed none. */
function cRate(out: string): Rate | undefined {
  const wall = /c_scenarios_per_s\s+([\d.]+)/.exec(out);
  const cpu = /c_scenarios_per_cpu_s\s+([\d.]+)/.exec(out);
  return wall ? { wall: Number(wall[1]), cpu: cpu ? Number(cpu[1]) : NaN } : undefined;
}

/** The C loop's rates under the pool's conditions; undefined when it is not built. */
function cReference(capture: boolean, netns: boolean): Rate | undefined {
  if (!existsSync(C_REFERENCE)) return undefined;
  return cRate(execFileSync(C_REFERENCE, cArgs(capture, netns), { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] }));
}

/**
 * `n` C loops at once, as the pool runs `n` workers at once: their summed rate (scenarios/s),
 * what this machine gives `n` busy threads of raw syscalls.
 */
async function cReferenceParallel(n: number, capture: boolean, netns: boolean): Promise<number | undefined> {
  if (!existsSync(C_REFERENCE)) return undefined;
  const one = () =>
    new Promise<number>((resolve, reject) => {
      execFile(C_REFERENCE, cArgs(capture, netns), { encoding: 'utf8', timeout: 120_000 }, (err, out) => {
        const rate = cRate(out);
        if (err || !rate) reject(err ?? new Error(`c-reference printed no rate: ${out}`));
        else resolve(rate.wall);
      });
    });
  const rates = await Promise.all(Array.from({ length: n }, one));
  return rates.reduce((a, b) => a + b, 0);
}

async function throughput(programs: readonly Program[], workers: number): Promise<Rate> {
  const { Pool } = require('@epl/pool') as typeof import('@epl/pool');
  const { check } = require('@epl/check') as typeof import('@epl/check');
  const pool = new Pool({ workers });
  try {
    const jobs = Array.from({ length: SCENARIOS }, (_, i) => ({ program: programs[i % programs.length], family: 'tcp' as const }));
    // Warm up: workers started and isolated, the addon loaded.
    for await (const r of pool.run(jobs.slice(0, 200))) if (r.lost) throw new Error(r.lost);
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let failed = 0;
    // What runFiles does with each result: check it on the view, keep nothing of a pass.
    for await (const r of pool.run(jobs)) if (!r.view || check(jobs[r.id].program, r.view).status !== 'passed') failed++;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    if (failed) process.stderr.write(`bench runner: ${failed} of ${SCENARIOS} scenarios failed their checks\n`);
    return { wall: SCENARIOS / s, cpu: SCENARIOS / ((c.user + c.system) / 1e6) };
  } finally {
    await pool.close();
  }
}

/** A command to time: argv, and the variables to drop from this process's environment. */
interface Command {
  readonly argv: readonly string[];
  readonly unset?: readonly string[];
}

/** Wall time of one run of a command, in ms. */
function wallMs(c: Command): number {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !c.unset?.includes(name)));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.argv[0], c.argv.slice(1), { cwd: ROOT, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) process.stderr.write(`bench runner: ${c.argv.join(' ')} exited ${String(r.status)}: ${r.stdout}${r.stderr}\n`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Wall times of commands run in turn (so a machine that slows down slows all of them): each
 * command's times, in run order.
 */
function alternately(commands: readonly Command[], runs = 11): number[][] {
  const times = commands.map((): number[] => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => times[k].push(wallMs(c)));
  return times;
}

export const bench: Bench = {
  id: 'runner',
  async run(report: Report): Promise<void> {
    const { compile } = require('@epl/compiler') as typeof import('@epl/compiler');
    const programs = compile(readFileSync(FOUNDING, 'utf8'), FOUNDING);
    const workers = Math.min(2, availableParallelism());
    const { Pool } = require('@epl/pool') as typeof import('@epl/pool');
    const probe = new Pool({ workers: 1 });
    const iso = await probe.isolation();
    await probe.close();
    process.stderr.write(`bench runner: workers netns ${String(iso.netns)}, capture ${String(iso.wire.captured)}\n`);
    const w1 = await throughput(programs, 1);
    report('run_scenarios_per_s_w1', Math.round(w1.wall), 'scenarios/s');
    // The C loop right before and right after the pool's run, averaged: this VM's speed drifts
    // by 10-30% within a minute, and one measure taken earlier biases the ratio either way.
    const before = cReference(iso.wire.captured, iso.netns);
    const w2 = workers >= 2 ? await throughput(programs, workers) : w1;
    const after = cReference(iso.wire.captured, iso.netns);
    report('run_scenarios_per_s_w2', Math.round(w2.wall), 'scenarios/s');
    const c = before && after ? { wall: (before.wall + after.wall) / 2, cpu: (before.cpu + after.cpu) / 2 } : undefined;
    if (before && after) process.stderr.write(`bench runner: C loop ${Math.round(before.wall)}/s before the pool's run, ${Math.round(after.wall)}/s after\n`);
    // Per second of CPU (the caller's thread included): the cost of JS, the boundary and the pool.
    report('run_scenarios_per_cpu_s', Math.round(w2.cpu), 'scenarios/s');
    if (c !== undefined) {
      report('c_reference_scenarios_per_s', Math.round(c.wall), 'scenarios/s');
      report('run_vs_c_per_core', w2.wall / (workers * c.wall));
      if (Number.isFinite(c.cpu)) {
        report('c_reference_scenarios_per_cpu_s', Math.round(c.cpu), 'scenarios/s');
        report('run_vs_c_cpu', w2.cpu / c.cpu);
      }
      // The ceiling R cannot pass here: two C loops at once do not get twice one loop's rate.
      const parallel = workers >= 2 ? await cReferenceParallel(workers, iso.wire.captured, iso.netns) : undefined;
      if (parallel !== undefined) {
        report('c_reference_parallel_scenarios_per_s', Math.round(parallel), 'scenarios/s');
        report('c_parallel_vs_c_per_core', parallel / (workers * c.wall));
        report('run_vs_c_parallel', w2.wall / parallel);
      }
    } else process.stderr.write(`bench runner: ${C_REFERENCE} is not built; run_vs_c_per_core not measured\n`);
    // Beside the floor under it on this machine, now: starting node (in the environment the
    // launcher gives it) and doing nothing.
    const [single, node, direct] = alternately([
      { argv: [EPL, 'run', FOUNDING] },
      { argv: ['node', '-e', '0'], unset: ['NODE_EXTRA_CA_CERTS'] },
      { argv: [process.execPath, EPL_JS, 'run', FOUNDING] },
    ]);
    report('single_file_ms', Math.round(median(single)), 'ms');
    report('node_startup_ms', Math.round(median(node)), 'ms');
    report('single_file_over_node_ms', Math.round(median(single.map((t, i) => t - node[i]))), 'ms');
    report('single_file_direct_ms', Math.round(median(direct)), 'ms');
  },
};
