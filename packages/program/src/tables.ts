// Names of the numbers the language writes symbolically: epoll flags, shutdown modes,
// TCP flags, errno values and socket families.
/** Epoll event bits by their EPL names (the `EPOLL` prefix is optional in scripts). */
export const EPOLL_FLAGS = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  RDNORM: 0x040,
  RDBAND: 0x080,
  WRNORM: 0x100,
  WRBAND: 0x200,
  MSG: 0x400,
  RDHUP: 0x2000,
  EXCLUSIVE: 1 << 28,
  WAKEUP: 1 << 29,
  ONESHOT: 1 << 30,
  ET: 1 << 31,
} as const;
export type EpollFlagName = keyof typeof EPOLL_FLAGS;

/** Print order of epoll flags: readiness first, then modifiers. */
// prettier-ignore
export const EPOLL_FLAG_ORDER: readonly EpollFlagName[] = [
  'IN', 'PRI', 'OUT', 'ERR', 'HUP', 'RDNORM', 'RDBAND', 'WRNORM', 'WRBAND', 'MSG', 'RDHUP',
  'EXCLUSIVE', 'WAKEUP', 'ONESHOT', 'ET',
];

/** `IN|OUT|RDHUP` for a mask; unknown bits print as hex; an empty mask prints `0`. */
export function formatEpollFlags(mask: number): string {
  let rest = mask >>> 0;
  const parts: string[] = [];
  for (const name of EPOLL_FLAG_ORDER) {
    const bit = EPOLL_FLAGS[name] >>> 0;
    if ((rest & bit) >>> 0 === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push('0x' + rest.toString(16));
  return parts.length ? parts.join('|') : '0';
}

/** Look up an epoll flag word, with or without the EPOLL prefix, any case. */
export function epollFlag(word: string): number | undefined {
  let w = word.toUpperCase();
  if (w.startsWith('EPOLL')) w = w.slice(5);
  return Object.prototype.hasOwnProperty.call(EPOLL_FLAGS, w) ? EPOLL_FLAGS[w as EpollFlagName] >>> 0 : undefined;
}

export const SHUT = { RD: 0, WR: 1, RDWR: 2 } as const;

/** Look up a shutdown mode, `RD` or `SHUT_RD`, any case. */
export function shutMode(word: string): number | undefined {
  let w = word.toUpperCase();
  if (w.startsWith('SHUT_')) w = w.slice(5);
  return Object.prototype.hasOwnProperty.call(SHUT, w) ? SHUT[w as keyof typeof SHUT] : undefined;
}

export function formatShutMode(how: number): string {
  const e = Object.entries(SHUT).find(([, v]) => v === how);
  return e ? e[0] : String(how);
}

/** TCP header flag bits and tcpdump's letters, in tcpdump's print order. */
export const TCP_FLAGS = [
  { bit: 0x01, letter: 'F' },
  { bit: 0x02, letter: 'S' },
  { bit: 0x04, letter: 'R' },
  { bit: 0x08, letter: 'P' },
  { bit: 0x10, letter: '.' },
  { bit: 0x20, letter: 'U' },
  { bit: 0x40, letter: 'E' },
  { bit: 0x80, letter: 'W' },
] as const;

/** tcpdump's rendering of a flags byte: `S.`, `FP.`, `R`; no flag at all prints `none`. */
export function formatTcpFlags(flags: number): string {
  let s = '';
  for (const f of TCP_FLAGS) if (flags & f.bit) s += f.letter;
  return s || 'none';
}

/** Parse tcpdump flag letters (`S.`, `FP.`, `.`); undefined if any letter is unknown or repeated. */
export function parseTcpFlags(text: string): number | undefined {
  let bits = 0;
  for (const ch of text) {
    const f = TCP_FLAGS.find((x) => x.letter === ch);
    if (!f || bits & f.bit) return undefined;
    bits |= f.bit;
  }
  return text.length ? bits : undefined;
}

/** errno numbers by C name (Linux, asm-generic: x86_64 and arm64 share them). Aliases EWOULDBLOCK and
 * EDEADLOCK are accepted in scripts; results print the first name of each number. */
// prettier-ignore
export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16, EEXIST: 17,
  EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25,
  ETXTBSY: 26, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33,
  ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40,
  ENOMSG: 42, EIDRM: 43, ECHRNG: 44, EL2NSYNC: 45, EL3HLT: 46, EL3RST: 47, ELNRNG: 48, EUNATCH: 49,
  ENOCSI: 50, EL2HLT: 51, EBADE: 52, EBADR: 53, EXFULL: 54, ENOANO: 55, EBADRQC: 56, EBADSLT: 57,
  EBFONT: 59, ENOSTR: 60, ENODATA: 61, ETIME: 62, ENOSR: 63, ENONET: 64, ENOPKG: 65, EREMOTE: 66,
  ENOLINK: 67, EADV: 68, ESRMNT: 69, ECOMM: 70, EPROTO: 71, EMULTIHOP: 72, EDOTDOT: 73,
  EBADMSG: 74, EOVERFLOW: 75, ENOTUNIQ: 76, EBADFD: 77, EREMCHG: 78, ELIBACC: 79, ELIBBAD: 80,
  ELIBSCN: 81, ELIBMAX: 82, ELIBEXEC: 83, EILSEQ: 84, ERESTART: 85, ESTRPIPE: 86, EUSERS: 87,
  ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90, EPROTOTYPE: 91, ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93, ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, EPFNOSUPPORT: 96, EAFNOSUPPORT: 97,
  EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ENETRESET: 102,
  ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108,
  ETOOMANYREFS: 109, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTDOWN: 112, EHOSTUNREACH: 113,
  EALREADY: 114, EINPROGRESS: 115, ESTALE: 116, EUCLEAN: 117, ENOTNAM: 118, ENAVAIL: 119,
  EISNAM: 120, EREMOTEIO: 121, EDQUOT: 122, ENOMEDIUM: 123, EMEDIUMTYPE: 124, ECANCELED: 125,
  ENOKEY: 126, EKEYEXPIRED: 127, EKEYREVOKED: 128, EKEYREJECTED: 129, EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131, ERFKILL: 132, EHWPOISON: 133,
  EWOULDBLOCK: 11, EDEADLOCK: 35,
};

const errnoNames: string[] = [];
for (const [name, num] of Object.entries(ERRNO)) {
  // Several names share a number (EAGAIN/EWOULDBLOCK, EDEADLK/EDEADLOCK): keep the first, the usual one.
  if (errnoNames[num] === undefined) errnoNames[num] = name;
}

/** The C name of an errno number (`EAGAIN` for 11), or `E<n>` for an unknown one. */
export function errnoName(num: number): string {
  return errnoNames[num] ?? `E${num}`;
}

/** The number of an errno name, any case; undefined if unknown. */
export function errnoNumber(name: string): number | undefined {
  const n = ERRNO[name.toUpperCase()];
  return typeof n === 'number' ? n : undefined;
}

/** Socket families a run can give `pair`. `tcp` is the default. */
export const FAMILIES = ['tcp', 'tcp6', 'unix'] as const;
export type Family = (typeof FAMILIES)[number];
/** The numbers the executor takes for a family (the `pair` op and the run option). */
export const FAMILY_CODE: Readonly<Record<Family, number>> = { tcp: 0, tcp6: 1, unix: 2 };
