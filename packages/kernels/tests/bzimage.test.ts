import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { bzImagePayload, extractVmlinux } from '../src/bzimage';

const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(4000, 7)]);

/** A bzImage as the boot protocol lays it out: setup sectors, then the protected-mode code holding the payload. */
function bzImage(compressed: Buffer, size: number, opts: { protocol?: number; setupSects?: number } = {}): Buffer {
  const setupSects = opts.setupSects ?? 3;
  const headerBytes = (setupSects + 1) * 512;
  const payloadOffset = 100;
  const payload = Buffer.concat([compressed, Buffer.alloc(4)]);
  payload.writeUInt32LE(size, compressed.length);
  const img = Buffer.alloc(headerBytes + payloadOffset + payload.length + 50);
  img[0x1f1] = setupSects;
  img.write('HdrS', 0x202, 'latin1');
  img.writeUInt16LE(opts.protocol ?? 0x20f, 0x206);
  img.writeUInt32LE(payloadOffset, 0x248);
  img.writeUInt32LE(payload.length, 0x24c);
  payload.copy(img, headerBytes + payloadOffset);
  return img;
}

describe('bzImagePayload', () => {
  it('finds the payload from the header fields and strips the appended size', () => {
    const gz = gzipSync(ELF);
    const p = bzImagePayload(bzImage(gz, ELF.length));
    expect(p.format).toBe('gzip');
    expect(p.compressed.equals(gz)).toBe(true);
    expect(p.size).toBe(ELF.length);
  });

  it('refuses what is not a bzImage, an old protocol, and an unknown compression', () => {
    expect(() => bzImagePayload(Buffer.alloc(4096))).toThrow(/not a bzImage/);
    expect(() => bzImagePayload(bzImage(gzipSync(ELF), ELF.length, { protocol: 0x207 }))).toThrow(/2\.08 or later/);
    expect(() => bzImagePayload(bzImage(Buffer.from('BZh91AY&SY-bzip2'), 10))).toThrow(/unsupported method.*425a6839/);
  });
});

describe('extractVmlinux', () => {
  it('unpacks a gzip payload', () => {
    expect(extractVmlinux(bzImage(gzipSync(ELF), ELF.length)).equals(ELF)).toBe(true);
  });

  it('unpacks an xz payload with the x86 filter, as Debian 6.1 ships it (host xz)', () => {
    const xz = spawnSync('xz', ['--check=crc32', '--x86', '--lzma2', '-c'], { input: ELF });
    expect(xz.status).toBe(0);
    expect(extractVmlinux(bzImage(xz.stdout, ELF.length)).equals(ELF)).toBe(true);
  });

  it('checks the unpacked size and the ELF magic', () => {
    expect(() => extractVmlinux(bzImage(gzipSync(ELF), ELF.length + 1))).toThrow(/unpacked to 4007 bytes, the image says 4008/);
    const notElf = Buffer.from('plain text, no ELF');
    expect(() => extractVmlinux(bzImage(gzipSync(notElf), notElf.length))).toThrow(/not an ELF vmlinux/);
  });
});
