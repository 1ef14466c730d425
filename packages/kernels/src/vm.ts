// runInKernel: one qemu VM per call. The guest boots a fetched kernel (PVH entry of its ELF
// vmlinux), mounts the host's root read-only and a job folder writable over 9p, chroots into
// the host's root and runs one command as root; its exit status and output come back through
// files in the job folder, the serial console is kept for diagnostics. qemu is killed on a
// timeout, and dies with this process (parent-death signal); the job folder is removed.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelsError, defaultCacheDir, requireFetched } from './catalogue';
import type { FetchedKernel } from './catalogue';
import { ERROR_MARK, GUEST_JOB_DIR, JOB_TAG, READY_MARK, ROOT_TAG, buildInitramfs } from './initramfs';
import { findQemu, readStaticBusybox } from './tool';

export type Accel = 'kvm' | 'tcg';

export interface VmOptions {
  /** Hardware acceleration: KVM when usable (see `defaultAccel`), else TCG. */
  readonly accel?: Accel;
  /** Virtual CPUs (default 2). */
  readonly smp?: number;
  /** Deterministic virtual time under TCG (`-icount shift=0,sleep=off`, one vCPU, one thread). */
  readonly icount?: boolean;
  /** Guest memory in MiB (default 2048). */
  readonly memoryMb?: number;
}

export interface RunInKernelOptions extends VmOptions {
  /** The command's working directory, a path of the host (read-only in the guest). Default: process.cwd(). */
  readonly cwd?: string;
  /** The command's environment, over a minimal one (PATH with the host node's folder first, HOME=/root, LANG=C.UTF-8). */
  readonly env?: Readonly<Record<string, string>>;
  /** Hard limit from qemu's start to its end; qemu is killed past it (default 600 000). */
  readonly timeoutMs?: number;
  /** Where fetched kernels are (default `defaultCacheDir()`). */
  readonly cacheDir?: string;
}

export interface GuestRun {
  /** The command's exit status in the guest. */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** qemu start to the guest's first output: its /init starting (the kernel is quiet). */
  readonly firstOutputMs: number;
  /** qemu start to the command's start (modules loaded, shares mounted, lo up). */
  readonly bootMs: number;
  /** qemu start to qemu's exit. */
  readonly wallMs: number;
  /** `uname -r` in the guest. */
  readonly release: string;
  readonly accel: Accel;
  /** What the guest printed on its serial console (the last 64 KiB). */
  readonly serial: string;
}

const SERIAL_KEEP = 64 * 1024;

/** KVM where `/dev/kvm` opens and the CPU offers vmx or svm (a /dev/kvm without them hangs qemu); `EPL_KERNELS_ACCEL` overrides. */
export function defaultAccel(env: NodeJS.ProcessEnv = process.env): Accel {
  const forced = env.EPL_KERNELS_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    return /^flags\s*:.*\b(vmx|svm)\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8')) ? 'kvm' : 'tcg';
  } catch {
    return 'tcg';
  }
}

/** qemu's arguments for one boot. */
export function qemuArgs(kernel: FetchedKernel, initrd: string, jobDir: string, opts: VmOptions & { accel: Accel }): string[] {
  const smp = opts.icount ? 1 : (opts.smp ?? 2);
  const accel =
    opts.accel === 'kvm'
      ? ['-accel', 'kvm', '-cpu', 'host']
      : opts.icount
        ? ['-accel', 'tcg,thread=single', '-icount', 'shift=0,sleep=off', '-cpu', 'max']
        : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  return [
    ...accel,
    ...['-smp', String(smp), '-m', String(opts.memoryMb ?? 2048)],
    ...['-nodefaults', '-no-user-config', '-no-reboot', '-display', 'none', '-serial', 'stdio'],
    ...['-kernel', path.join(kernel.dir, 'vmlinux'), '-initrd', initrd, '-append', 'console=ttyS0 quiet panic=-1'],
    ...['-virtfs', `local,path=/,mount_tag=${ROOT_TAG},security_model=none,readonly=on,multidevs=remap`],
    ...['-virtfs', `local,path=${jobDir},mount_tag=${JOB_TAG},security_model=none,multidevs=remap`],
  ];
}

// The guest mounts tmpfs over these: host files below them are out of its sight.
const HIDDEN = ['/tmp', '/run', '/dev/shm', '/proc', '/sys', '/dev'];

/** Throws when the guest would not see `p` (a host path under a folder the guest mounts over). */
export function checkGuestVisible(p: string): void {
  const real = fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p);
  const under = HIDDEN.find((h) => real === h || real.startsWith(h + '/'));
  if (under) throw new KernelsError(`${p} is under ${under}, which a guest kernel does not see (it mounts its own there): use a folder elsewhere`);
}

/** A word for sh, quoted. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The job's script, run by the host's /bin/sh inside the chroot. */
export function jobScript(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>): string {
  const out = `${GUEST_JOB_DIR}/stdout`;
  const err = `${GUEST_JOB_DIR}/stderr`;
  const vars = Object.entries(env).map(([k, v]) => shQuote(`${k}=${v}`));
  return [`exec </dev/null >${out} 2>${err}`, `cd ${shQuote(cwd)} || exit 125`, `exec /usr/bin/env -i ${[...vars, ...argv.map(shQuote)].join(' ')}`, ''].join(
    '\n',
  );
}

function guestEnv(extra?: Readonly<Record<string, string>>): Record<string, string> {
  const nodeDir = path.dirname(process.execPath);
  return { PATH: `${nodeDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: '/root', LANG: 'C.UTF-8', ...extra };
}

/**
 * Boots `kernel` (a catalogue name such as `6.1`, or a FetchedKernel) and runs `argv` in it.
 * Resolves with the command's exit status and output, whatever the status; rejects with a
 * KernelsError when the guest cannot be booted or does not finish (qemu, busybox or the
 * kernel missing, a failed mount, the timeout), quoting the end of the serial console.
 */
export async function runInKernel(kernel: string | FetchedKernel, argv: readonly string[], opts: RunInKernelOptions = {}): Promise<GuestRun> {
  if (argv.length === 0) throw new KernelsError('runInKernel: no command given');
  const fetched = typeof kernel === 'string' ? requireFetched(opts.cacheDir ?? defaultCacheDir(), kernel) : kernel;
  const qemu = findQemu();
  const busybox = readStaticBusybox();
  const accel = opts.accel ?? defaultAccel();
  const cwd = opts.cwd ?? process.cwd();
  checkGuestVisible(cwd);
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernel-'));
  try {
    const jobDir = path.join(scratch, 'job');
    fs.mkdirSync(jobDir);
    const initrd = path.join(scratch, 'initramfs.cpio');
    fs.writeFileSync(initrd, buildInitramfs(fetched, busybox));
    fs.writeFileSync(path.join(jobDir, 'run.sh'), jobScript(argv, cwd, guestEnv(opts.env)));
    const boot = await bootAndWait(qemu, qemuArgs(fetched, initrd, jobDir, { ...opts, accel }), timeoutMs, fetched.release);
    const read = (name: string) => {
      try {
        return fs.readFileSync(path.join(jobDir, name), 'utf8');
      } catch {
        return undefined;
      }
    };
    const status = read('status');
    if (status === undefined || boot.bootMs === undefined) {
      const why = boot.guestError ?? (boot.qemuStatus !== 0 ? `qemu exited with status ${boot.qemuStatus}` : 'the guest stopped before its command finished');
      throw new KernelsError(`${fetched.name} (${fetched.release}): ${why}\n${tail(boot.serial)}`);
    }
    return {
      exitCode: Number(status.trim()),
      stdout: read('stdout') ?? '',
      stderr: read('stderr') ?? '',
      firstOutputMs: boot.firstOutputMs ?? boot.bootMs,
      bootMs: boot.bootMs,
      wallMs: boot.wallMs,
      release: (read('release') ?? '').trim(),
      accel,
      serial: boot.serial,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function tail(serial: string): string {
  const lines = serial.trimEnd().split('\n').slice(-15);
  return lines.length && lines[0] !== '' ? 'serial console (last lines):\n' + lines.map((l) => '  ' + l).join('\n') : 'the serial console stayed empty';
}

interface Boot {
  readonly serial: string;
  readonly firstOutputMs?: number;
  readonly bootMs?: number;
  readonly wallMs: number;
  readonly qemuStatus: number;
  readonly guestError?: string;
}

function bootAndWait(qemu: string, args: string[], timeoutMs: number, release: string): Promise<Boot> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // setpriv (util-linux) gives qemu a parent-death signal: it dies with this process.
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', qemu, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let serial = '';
    let firstOutputMs: number | undefined;
    let bootMs: number | undefined;
    let guestError: string | undefined;
    let timedOut = false;
    const onData = (b: Buffer) => {
      if (firstOutputMs === undefined) firstOutputMs = performance.now() - started;
      serial += b.toString('latin1').replace(/\r/g, '');
      if (serial.length > 2 * SERIAL_KEEP) serial = serial.slice(-SERIAL_KEEP);
      if (bootMs === undefined && serial.includes(READY_MARK)) bootMs = performance.now() - started;
      const e = serial.indexOf(ERROR_MARK);
      if (guestError === undefined && e >= 0) {
        const end = serial.indexOf('\n', e);
        if (end >= 0) guestError = serial.slice(e + ERROR_MARK.length, end).trim();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new KernelsError(`cannot start qemu through setpriv: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      serial = serial.slice(-SERIAL_KEEP);
      if (timedOut) {
        reject(new KernelsError(`${release}: the guest did not finish within ${timeoutMs} ms; qemu was killed\n${tail(serial)}`));
        return;
      }
      resolve({ serial, firstOutputMs, bootMs, wallMs, qemuStatus: code ?? (signal ? 128 : 1), guestError });
    });
  });
}
