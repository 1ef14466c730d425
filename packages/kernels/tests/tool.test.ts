import * as fs from 'node:fs';
import { INSTALL_HINT, findQemu, isDynamicElf, readStaticBusybox, runTool, which } from '../src/tool';

describe('tools', () => {
  it('tells a dynamically linked ELF (node) from data', () => {
    expect(isDynamicElf(fs.readFileSync('/bin/sh'))).toBe(true);
    expect(isDynamicElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
  });

  it('takes busybox-static, and refuses a dynamic binary naming the install command', () => {
    expect(() => readStaticBusybox('/bin/sh')).toThrow(
      `/bin/sh is dynamically linked and cannot run in an initramfs: ${INSTALL_HINT} (busybox-static replaces busybox)`,
    );
    expect(() => readStaticBusybox('/nonexistent/busybox')).toThrow(
      `/nonexistent/busybox is missing (a static busybox builds the guest's initramfs): ${INSTALL_HINT}`,
    );
    if (fs.existsSync('/bin/busybox') && !isDynamicElf(fs.readFileSync('/bin/busybox'))) expect(readStaticBusybox().length).toBeGreaterThan(100_000);
  });

  it('names the install command when qemu is not on PATH', () => {
    expect(() => findQemu({ PATH: '/nonexistent' })).toThrow(`qemu-system-x86_64 is not installed: ${INSTALL_HINT}`);
    expect(INSTALL_HINT).toBe('apt-get install --no-install-recommends qemu-system-x86 busybox-static');
  });

  it('finds programs on PATH', () => {
    expect(which('sh', { PATH: '/nonexistent:/bin' })).toBe('/bin/sh');
    expect(which('sh', { PATH: '/nonexistent' })).toBeUndefined();
  });

  it('runs a tool and reports a missing one with its install hint', async () => {
    await expect(runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { install: 'x' })).resolves.toEqual({ status: 3, stdout: 'out\n', stderr: 'err\n' });
    await expect(runTool('no-such-tool-epl', [], { install: 'apt-get install it' })).rejects.toThrow('no-such-tool-epl is not installed: apt-get install it');
  });
});
