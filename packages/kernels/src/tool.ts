// Running the host's tools (apt-get, dpkg-deb) with their output captured, and finding the
// ones a guest needs (qemu, a static busybox), with errors that name the command to install them.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelsError } from './catalogue';

export const INSTALL_HINT = 'apt-get install --no-install-recommends qemu-system-x86 busybox-static';

export interface ToolResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd args` to its end; a missing program is a KernelsError naming `install`. */
export function runTool(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; install: string }): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // ENOENT, or EACCES when a PATH folder is unreadable (as a normal user): either way, is it on PATH?
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(which(cmd, opts.env) === undefined ? new KernelsError(`${cmd} is not installed: ${opts.install}`) : new KernelsError(`${cmd}: ${e.message}`)),
    );
    child.on('close', (code, signal) =>
      resolve({ status: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** The first executable called `name` on PATH, or undefined. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when an ELF file asks for a program interpreter (dynamically linked). */
export function isDynamicElf(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > elf.length) break;
    if (elf.readUInt32LE(at) === 3) return true; // PT_INTERP
  }
  return false;
}

/** qemu-system-x86_64 on PATH, or a KernelsError naming the install command. */
export function findQemu(env: NodeJS.ProcessEnv = process.env): string {
  const q = which('qemu-system-x86_64', env);
  if (!q) throw new KernelsError(`qemu-system-x86_64 is not installed: ${INSTALL_HINT}`);
  return q;
}

/** Where busybox-static puts its binary. */
export const BUSYBOX = '/bin/busybox';

/** The static busybox for the initramfs, or a KernelsError naming the install command. */
export function readStaticBusybox(file = BUSYBOX): Buffer {
  let elf: Buffer;
  try {
    elf = fs.readFileSync(file);
  } catch {
    throw new KernelsError(`${file} is missing (a static busybox builds the guest's initramfs): ${INSTALL_HINT}`);
  }
  if (isDynamicElf(elf))
    throw new KernelsError(`${file} is dynamically linked and cannot run in an initramfs: ${INSTALL_HINT} (busybox-static replaces busybox)`);
  return elf;
}
