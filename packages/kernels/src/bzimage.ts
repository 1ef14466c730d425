// The ELF vmlinux inside a bzImage. qemu boots an ELF vmlinux through its PVH entry point
// straight into 64-bit code, skipping the real-mode setup and the in-guest decompression of
// the bzImage: 3-4 s instead of 9-11 s to first output under TCG (CROSS-KERNEL.md).
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

export type PayloadFormat = 'xz' | 'zstd' | 'gzip';

export interface Payload {
  readonly format: PayloadFormat;
  /** The compressed stream, without the 4-byte size the kernel build appends to it. */
  readonly compressed: Buffer;
  /** The uncompressed size (that appended little-endian word). */
  readonly size: number;
}

const MAGICS: readonly [PayloadFormat, Buffer][] = [
  ['xz', Buffer.from('fd377a585a00', 'hex')],
  ['zstd', Buffer.from('28b52ffd', 'hex')],
  ['gzip', Buffer.from('1f8b', 'hex')],
];

/**
 * Finds the compressed kernel in a bzImage through its boot header
 * (Documentation/arch/x86/boot.rst: setup_sects at 0x1f1, "HdrS" at 0x202, payload_offset and
 * payload_length at 0x248, protocol 2.08 and later). Throws saying what is wrong.
 */
export function bzImagePayload(image: Buffer): Payload {
  if (image.length < 0x250 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') throw new Error('not a bzImage (no HdrS boot header)');
  const protocol = image.readUInt16LE(0x206);
  if (protocol < 0x208) throw new Error(`boot protocol ${protocol.toString(16)} has no payload fields (2.08 or later needed)`);
  const setupSects = image[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + image.readUInt32LE(0x248);
  const length = image.readUInt32LE(0x24c);
  if (length < 8 || start + length > image.length) throw new Error('bzImage payload lies outside the file');
  const payload = image.subarray(start, start + length);
  const found = MAGICS.find(([, magic]) => payload.subarray(0, magic.length).equals(magic));
  if (!found)
    throw new Error(
      `bzImage payload compressed with an unsupported method (first bytes ${payload.subarray(0, 6).toString('hex')}; xz, zstd and gzip are known)`,
    );
  return { format: found[0], compressed: payload.subarray(0, length - 4), size: payload.readUInt32LE(length - 4) };
}

/** Decompresses with the host's `xz` or `zstd` (Node 20 has neither) or zlib. */
export function decompress(format: PayloadFormat, data: Buffer): Buffer {
  if (format === 'gzip') return gunzipSync(data);
  const tool = format === 'xz' ? 'xz' : 'zstd';
  const r = spawnSync(tool, ['-dc'], { input: data, maxBuffer: 1 << 30 });
  if (r.error)
    throw new Error(`${tool} could not be started (${r.error.message}): apt-get install --no-install-recommends ${format === 'xz' ? 'xz-utils' : 'zstd'}`);
  if (r.status !== 0) throw new Error(`${tool} -dc failed: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

/** The ELF vmlinux of a bzImage, checked against the size the build recorded. */
export function extractVmlinux(image: Buffer): Buffer {
  const p = bzImagePayload(image);
  const elf = decompress(p.format, p.compressed);
  if (elf.length !== p.size) throw new Error(`bzImage payload unpacked to ${elf.length} bytes, the image says ${p.size}`);
  if (!elf.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) throw new Error('bzImage payload is not an ELF vmlinux');
  return elf;
}
