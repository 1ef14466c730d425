import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FetchedKernel } from '../src/catalogue';
import { READY_MARK, buildInitramfs, initScript } from '../src/initramfs';

describe('initScript', () => {
  const text = initScript(['virtio_ring', 'virtio', '9pnet', '9p']);
  it('loads the modules in the order given, then mounts the shares and runs the job in a chroot', () => {
    expect(text.startsWith('#!/bin/busybox sh\n')).toBe(true);
    expect(text).toContain('for m in virtio_ring virtio 9pnet 9p; do insmod /modules/$m.ko');
    const order = [
      'insmod',
      'eplroot /host',
      'tmp /host/tmp',
      'epljob /host/run/epl-job',
      'ip link set lo up',
      READY_MARK,
      'chroot /host /bin/sh /run/epl-job/run.sh',
      'echo $? > /host/run/epl-job/status',
      'umount /host/run/epl-job\npoweroff -f',
    ];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((a) => a >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('is valid sh', () => {
    expect(spawnSync('sh', ['-n'], { input: text }).status).toBe(0);
  });
});

describe('buildInitramfs', () => {
  it('packs busybox, /init and the kernel’s modules', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-kernels-ir-'));
    try {
      fs.mkdirSync(path.join(dir, 'modules'));
      fs.writeFileSync(path.join(dir, 'modules', '9p.ko'), 'module bytes');
      const kernel: FetchedKernel = { name: '6.1', package: 'p', version: 'v', release: 'r', dir, modules: ['9p'] };
      const archive = buildInitramfs(kernel, Buffer.from('busybox bytes'));
      for (const s of ['bin/busybox\0', 'init\0', 'modules/9p.ko\0', 'module bytes', 'busybox bytes', 'TRAILER!!!']) expect(archive.includes(s)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
