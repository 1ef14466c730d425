// `epl run` under several kernels: for each guest kernel one VM runs
// `node <checkout>/packages/cli/bin/epl.js run --json ARGS…` (the usual pool inside), the host
// entry runs the same command as a child process here; the JSON records come back parsed.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnyScenarioRecord as ScenarioRecord } from '@epl/report';
import { HOST, KernelsError, defaultCacheDir, findKernel, requireFetched } from './catalogue';
import { RecordsError, parseRecords } from './records';
import { checkGuestVisible, runInKernel } from './vm';
import type { Accel, VmOptions } from './vm';
import { findQemu, readStaticBusybox } from './tool';

export interface RunOnKernelsOptions extends VmOptions {
  /** Where the paths in the arguments are relative to (default: process.cwd()). */
  readonly cwd?: string;
  /** Fetched kernels' cache (default `defaultCacheDir()`). */
  readonly cacheDir?: string;
  /** Per guest kernel, boot included (default 600 000). */
  readonly timeoutMs?: number;
  /** The `epl.js` to run (default: this checkout's `packages/cli/bin/epl.js`). */
  readonly eplJs?: string;
  /** Called as each kernel's run ends, in order. */
  readonly onKernel?: (run: KernelRun) => void;
}

export interface KernelRun {
  /** As asked: `host`, `5.10`, `6.1`, `6.12`. */
  readonly kernel: string;
  /** `uname -r` of the kernel that ran it ('' when it never booted). */
  readonly release: string;
  /** One per scenario × family, as `epl run --json` printed them (each with `kernel` = `release`). */
  readonly records: readonly ScenarioRecord[];
  /** `epl run`'s exit status: 0 all passed, 1 a failure, 2 usage or compile errors; undefined with `error`. */
  readonly exitCode?: number;
  /** What `epl run` wrote on stderr (compile errors, notes). */
  readonly stderr: string;
  /** The VM could not run it (missing qemu or kernel, boot failure, timeout): the reason; no records. */
  readonly error?: string;
  /** Guest only: qemu start to the guest's /init, and to `epl run`'s start. */
  readonly firstOutputMs?: number;
  readonly bootMs?: number;
  /** Start to end of this kernel's run (the VM's whole life for a guest). */
  readonly wallMs: number;
  readonly accel?: Accel;
}

/** This checkout's CLI entry point. */
export function checkoutEplJs(): string {
  return path.resolve(__dirname, '..', '..', 'cli', 'bin', 'epl.js');
}

/** Runs `epl run --json ARGS` as a local child process (the host entry). */
function runHost(node: string, eplJs: string, args: readonly string[], cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [eplJs, 'run', '--json', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/**
 * Runs `epl run --json ...eplRunArgs` under each kernel in turn (`host` locally, the others in
 * one VM each) and returns one KernelRun per kernel, in the order given. Unknown or unfetched
 * kernels and a missing qemu are reported before anything runs (KernelsError); a guest that
 * fails to boot or finish, or prints what is not a record, gets its `error` and the other
 * kernels still run.
 */
export async function runOnKernels(kernels: readonly string[], eplRunArgs: readonly string[], opts: RunOnKernelsOptions = {}): Promise<KernelRun[]> {
  const cwd = opts.cwd ?? process.cwd();
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const eplJs = opts.eplJs ?? checkoutEplJs();
  if (eplRunArgs.includes('--json')) throw new KernelsError('runOnKernels adds --json itself');
  if (!fs.existsSync(eplJs)) throw new KernelsError(`${eplJs} is missing: run \`npm ci\` at the repository root`);
  const guests = kernels.filter((k) => k !== HOST);
  const fetched = new Map(guests.map((k) => [k, requireFetched(cacheDir, findKernel(k).name)]));
  if (guests.length) {
    findQemu();
    readStaticBusybox();
    checkGuestVisible(cwd);
    checkGuestVisible(eplJs);
    for (const a of eplRunArgs) if (!a.startsWith('-') && fs.existsSync(path.resolve(cwd, a))) checkGuestVisible(path.resolve(cwd, a));
  }
  const out: KernelRun[] = [];
  for (const kernel of kernels) {
    const started = performance.now();
    let run: KernelRun;
    try {
      if (kernel === HOST) {
        const r = await runHost(process.execPath, eplJs, eplRunArgs, cwd);
        run = {
          kernel,
          release: os.release(),
          records: parseRecords(r.stdout, `epl run --json on ${HOST}`),
          exitCode: r.exitCode,
          stderr: r.stderr,
          wallMs: performance.now() - started,
        };
      } else {
        const g = await runInKernel(fetched.get(kernel)!, [process.execPath, eplJs, 'run', '--json', ...eplRunArgs], { ...opts, cwd, cacheDir });
        run = {
          kernel,
          release: g.release,
          records: parseRecords(g.stdout, `epl run --json on ${kernel} (${g.release})`),
          exitCode: g.exitCode,
          stderr: g.stderr,
          firstOutputMs: g.firstOutputMs,
          bootMs: g.bootMs,
          wallMs: g.wallMs,
          accel: g.accel,
        };
      }
    } catch (e) {
      // A boot that failed, or output that is not records: this kernel's error, the others still run.
      if (!(e instanceof KernelsError) && !(e instanceof RecordsError)) throw e;
      run = { kernel, release: kernel === HOST ? os.release() : '', records: [], stderr: '', error: e.message, wallMs: performance.now() - started };
    }
    opts.onKernel?.(run);
    out.push(run);
  }
  return out;
}
