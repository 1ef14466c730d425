// A cpio archive in the "newc" format, the one the kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst): no cpio binary needed on the host.

export interface CpioEntry {
  /** Path inside the archive, without a leading slash (`bin/busybox`). */
  readonly path: string;
  /** `dir` entries have no data. */
  readonly kind: 'file' | 'dir';
  /** Permission bits (0o755). */
  readonly mode: number;
  readonly data?: Uint8Array;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(ino: number, mode: number, nlink: number, size: number, nameSize: number): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, nameSize, 0];
  return '070701' + fields.map((v) => v.toString(16).padStart(8, '0')).join('');
}

/** The archive of `entries`, in order (a directory must come before what it holds), with its trailer. */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const add = (ino: number, mode: number, nlink: number, name: string, data: Uint8Array) => {
    const nameBytes = Buffer.from(name + '\0', 'utf8');
    const head = Buffer.from(header(ino, mode, nlink, data.length, nameBytes.length), 'ascii');
    parts.push(head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length)), Buffer.from(data), Buffer.alloc(pad4(data.length)));
  };
  entries.forEach((e, i) => {
    if (e.path === '' || e.path.startsWith('/') || e.path.split('/').includes('..')) throw new Error(`cpio: bad path '${e.path}'`);
    if (e.kind === 'dir') add(i + 1, S_IFDIR | (e.mode & 0o7777), 2, e.path, new Uint8Array(0));
    else add(i + 1, S_IFREG | (e.mode & 0o7777), 1, e.path, e.data ?? new Uint8Array(0));
  });
  add(0, 0, 1, 'TRAILER!!!', new Uint8Array(0));
  return Buffer.concat(parts);
}
