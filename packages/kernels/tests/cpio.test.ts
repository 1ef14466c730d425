import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpioArchive } from '../src/cpio';

/** Walks a newc archive the way the kernel's initramfs unpacker does: header, name, data, each 4-aligned. */
function entries(buf: Buffer): { name: string; mode: number; data: Buffer }[] {
  const out: { name: string; mode: number; data: Buffer }[] = [];
  let at = 0;
  for (;;) {
    expect(buf.toString('ascii', at, at + 6)).toBe('070701');
    const field = (k: number) => parseInt(buf.toString('ascii', at + 6 + 8 * k, at + 14 + 8 * k), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const nameAt = at + 110;
    const name = buf.toString('utf8', nameAt, nameAt + nameSize - 1);
    expect(buf[nameAt + nameSize - 1]).toBe(0);
    let dataAt = nameAt + nameSize;
    dataAt += (4 - (dataAt % 4)) % 4;
    out.push({ name, mode, data: buf.subarray(dataAt, dataAt + size) });
    at = dataAt + size;
    at += (4 - (at % 4)) % 4;
    if (name === 'TRAILER!!!') break;
  }
  expect(at).toBe(buf.length);
  return out;
}

describe('cpioArchive', () => {
  const archive = cpioArchive([
    { path: 'bin', kind: 'dir', mode: 0o755 },
    { path: 'bin/tool', kind: 'file', mode: 0o755, data: Buffer.from('abcde') },
    { path: 'init', kind: 'file', mode: 0o700, data: Buffer.from('#!/bin/sh\n') },
  ]);

  it('writes newc entries, names and data 4-byte aligned, then the trailer', () => {
    const e = entries(archive);
    expect(e.map((x) => x.name)).toEqual(['bin', 'bin/tool', 'init', 'TRAILER!!!']);
    expect(e[0].mode).toBe(0o040755);
    expect(e[1].mode).toBe(0o100755);
    expect(e[1].data.toString()).toBe('abcde');
    expect(e[2].mode).toBe(0o100700);
  });

  it('is read back by busybox cpio, when busybox is here', () => {
    if (!fs.existsSync('/bin/busybox')) {
      console.warn('cpio.test: /bin/busybox is missing, so only the structural check ran (apt-get install busybox-static)');
      return;
    }
    const r = spawnSync('/bin/busybox', ['cpio', '-t'], { input: archive });
    expect(r.status).toBe(0);
    expect(r.stdout.toString().trim().split('\n')).toEqual(['bin', 'bin/tool', 'init']);
  });

  it('refuses absolute paths and ..', () => {
    expect(() => cpioArchive([{ path: '/etc', kind: 'dir', mode: 0o755 }])).toThrow(/bad path/);
    expect(() => cpioArchive([{ path: 'a/../b', kind: 'dir', mode: 0o755 }])).toThrow(/bad path/);
  });
});
