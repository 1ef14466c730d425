// The guest's initramfs: a static busybox, the 9p modules of one kernel and an /init that
// mounts the host's root read-only, the job folder writable, and runs the job's script in a
// chroot. Built in memory for each boot (3 MB), never cached: nothing to go stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FetchedKernel } from './catalogue';
import { cpioArchive } from './cpio';
import type { CpioEntry } from './cpio';

/** 9p mount tags of the two shares qemu exports. */
export const ROOT_TAG = 'eplroot';
export const JOB_TAG = 'epljob';
/** Where the job folder appears inside the chroot (a tmpfs /run holds the mount point). */
export const GUEST_JOB_DIR = '/run/epl-job';
/** Lines /init writes on the serial console that the host watches for. */
export const INIT_MARK = 'epl-guest: init';
export const READY_MARK = 'epl-guest: ready';
export const ERROR_MARK = 'epl-guest: error:';

// Largest 9p message: fewer round trips when node reads its 90 MB binary over the share.
const MSIZE = 262144;

/**
 * /init, run by busybox sh as pid 1. A step that fails prints ERROR_MARK and powers off, so
 * the host reports it instead of waiting for its timeout. The command's exit status goes to
 * `<job>/status`, the guest's `uname -r` to `<job>/release`.
 */
export function initScript(modules: readonly string[]): string {
  const job = `/host${GUEST_JOB_DIR}`;
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
echo "${INIT_MARK}"
fail() { echo "${ERROR_MARK} $*"; poweroff -f; sleep 5; }
mount -t proc proc /proc && mount -t devtmpfs dev /dev || fail "cannot mount /proc and /dev"
for m in ${modules.join(' ')}; do insmod /modules/$m.ko || fail "insmod $m.ko failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=${MSIZE},cache=loose ${ROOT_TAG} /host || fail "cannot mount the host's root (9p tag ${ROOT_TAG})"
mount -t proc proc /host/proc && mount -t sysfs sys /host/sys && mount -t devtmpfs dev /host/dev || fail "cannot mount /proc, /sys, /dev in the chroot"
mkdir -p /host/dev/shm /host/dev/pts && mount -t tmpfs -o mode=1777 shm /host/dev/shm && mount -t devpts devpts /host/dev/pts || fail "cannot mount /dev/shm"
mount -t tmpfs -o mode=1777 tmp /host/tmp && mount -t tmpfs -o mode=755 run /host/run || fail "cannot mount tmpfs on /tmp and /run"
mkdir -p ${job} && mount -t 9p -o trans=virtio,version=9p2000.L,msize=${MSIZE} ${JOB_TAG} ${job} || fail "cannot mount the job folder (9p tag ${JOB_TAG})"
ip link set lo up || fail "cannot bring lo up"
uname -r > ${job}/release
echo "${READY_MARK} $(cut -d' ' -f1 /proc/uptime)"
chroot /host /bin/sh ${GUEST_JOB_DIR}/run.sh
echo $? > ${job}/status
umount ${job}
poweroff -f
sleep 5
`;
}

/** The initramfs for `kernel`: busybox, /init and `modules/<name>.ko` for each module to load. */
export function buildInitramfs(kernel: FetchedKernel, busybox: Buffer): Buffer {
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'proc', 'host', 'modules'].map((p): CpioEntry => ({ path: p, kind: 'dir', mode: 0o755 })),
    { path: 'bin/busybox', kind: 'file', mode: 0o755, data: busybox },
    { path: 'init', kind: 'file', mode: 0o755, data: Buffer.from(initScript(kernel.modules)) },
    ...kernel.modules.map((m): CpioEntry => ({
      path: `modules/${m}.ko`,
      kind: 'file',
      mode: 0o644,
      data: fs.readFileSync(path.join(kernel.dir, 'modules', `${m}.ko`)),
    })),
  ];
  return cpioArchive(entries);
}
