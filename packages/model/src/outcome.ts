// What a call returns, as the executor reports it (StepResult of @epl/program): a value or an
// errno, the bytes of a read, and, where the model cannot know the count exactly, a range.
import { ERRNO, errnoName } from '@epl/program';
import type { Range } from './bytes';

export interface Outcome {
  /** The return value, -1 when errno is set. Creating ops return 0 on success. */
  readonly ret: number;
  readonly errno: number;
  /** read/drain: the bytes, when known; null when only their count is known (as a range). */
  readonly bytes?: Uint8Array | null;
  /** The return value as a range, when it is not known exactly (fill and drain of sockets). */
  readonly range?: Range;
  /** Other answers the kernel may give instead, when which one depends on buffer sizes the model does not track. */
  readonly alt?: readonly Outcome[];
}

/** One of several answers. */
export function either(first: Outcome, ...others: Outcome[]): Outcome {
  return { ...first, alt: others };
}

export const OK: Outcome = { ret: 0, errno: 0 };

export function value(n: number): Outcome {
  return n === 0 ? OK : { ret: n, errno: 0 };
}

export function count(r: Range): Outcome {
  return r.lo === r.hi ? value(r.lo) : { ret: r.lo, errno: 0, range: r };
}

export function bytesRead(bytes: Uint8Array | null, r: Range): Outcome {
  return r.lo === r.hi ? { ret: r.lo, errno: 0, bytes } : { ret: r.lo, errno: 0, bytes: null, range: r };
}

const FAILS: Outcome[] = [];

export function fail(errno: number): Outcome {
  return (FAILS[errno] ??= { ret: -1, errno });
}

/** An outcome as JSON: the errno by name, the bytes of a read as latin1 text (JSON escapes the unprintable). */
export function outcomeJson(o: Outcome): Record<string, unknown> {
  return {
    ret: o.ret,
    ...(o.errno ? { errno: errnoName(o.errno) } : {}),
    ...(o.bytes ? { bytes: Buffer.from(o.bytes.buffer, o.bytes.byteOffset, o.bytes.byteLength).toString('latin1') } : {}),
    ...(o.range ? { range: o.range } : {}),
    ...(o.alt ? { alt: o.alt.map(outcomeJson) } : {}),
  };
}

/** A read at end of file: 0 bytes. */
export const EMPTY_READ: Outcome = { ret: 0, errno: 0, bytes: new Uint8Array(0) };

export const E = {
  EPERM: ERRNO.EPERM,
  ENOENT: ERRNO.ENOENT,
  EBADF: ERRNO.EBADF,
  EAGAIN: ERRNO.EAGAIN,
  EEXIST: ERRNO.EEXIST,
  EINVAL: ERRNO.EINVAL,
  EMFILE: ERRNO.EMFILE,
  EPIPE: ERRNO.EPIPE,
  ELOOP: ERRNO.ELOOP,
  EBUSY: ERRNO.EBUSY,
  ENOTSOCK: ERRNO.ENOTSOCK,
  EOPNOTSUPP: ERRNO.EOPNOTSUPP,
  EISCONN: ERRNO.EISCONN,
  ENOTCONN: ERRNO.ENOTCONN,
  ECONNRESET: ERRNO.ECONNRESET,
  ECONNREFUSED: ERRNO.ECONNREFUSED,
  ECONNABORTED: ERRNO.ECONNABORTED,
  EINPROGRESS: ERRNO.EINPROGRESS,
  EALREADY: ERRNO.EALREADY,
  EAFNOSUPPORT: ERRNO.EAFNOSUPPORT,
  EADDRINUSE: ERRNO.EADDRINUSE,
  EDESTADDRREQ: ERRNO.EDESTADDRREQ,
  ENOPROTOOPT: ERRNO.ENOPROTOOPT,
  EFAULT: ERRNO.EFAULT,
} as const;
