// Queued bytes: what a pipe, a socket's receive queue or a send queue holds, in order. Most
// content is known byte for byte; a `fill` puts a run of 'x' whose length the model knows only
// as a range (socket buffer sizes follow autotuning), which is then carried honestly.

/** A count the model knows exactly (lo === hi) or only between two bounds. */
export interface Range {
  readonly lo: number;
  readonly hi: number;
}

/** A run of `x` (0x78) bytes, between `lo` and `hi` long. */
export interface XRun {
  readonly lo: number;
  readonly hi: number;
}

export type Chunk = Uint8Array | XRun;
export type Chunks = readonly Chunk[];

export const NO_BYTES: Chunks = [];
export const X = 0x78;

export function exact(n: number): Range {
  return { lo: n, hi: n };
}

export function isExact(r: Range): boolean {
  return r.lo === r.hi;
}

export function addRange(a: Range, b: Range): Range {
  return { lo: a.lo + b.lo, hi: a.hi + b.hi };
}

function chunkLo(c: Chunk): number {
  return c instanceof Uint8Array ? c.length : c.lo;
}

function chunkHi(c: Chunk): number {
  return c instanceof Uint8Array ? c.length : c.hi;
}

/** Bytes queued, as a range. */
export function length(q: Chunks): Range {
  let lo = 0;
  let hi = 0;
  for (const c of q) {
    lo += chunkLo(c);
    hi += chunkHi(c);
  }
  return { lo, hi };
}

/** At least one byte is queued (exactly known: a run is never empty at its low bound). */
export function nonEmpty(q: Chunks): boolean {
  for (const c of q) if (chunkHi(c) > 0) return true;
  return false;
}

/** A known exact length, or -1. */
export function exactLength(q: Chunks): number {
  const r = length(q);
  return r.lo === r.hi ? r.lo : -1;
}

export function append(q: Chunks, c: Chunk): Chunks {
  if (chunkHi(c) === 0) return q;
  return [...q, c];
}

export function xRun(lo: number, hi = lo): XRun {
  return { lo, hi };
}

/** What reading up to `n` bytes from the front gives. */
export interface Taken {
  /** The bytes, when known exactly; null when their number is a range. */
  readonly bytes: Uint8Array | null;
  readonly count: Range;
  readonly rest: Chunks;
}

/** Take up to `n` bytes from the front of `q` (a read of n). */
export function take(q: Chunks, n: number): Taken {
  // The common case: the first chunk is known bytes and the read takes it whole or in part.
  const first = q[0];
  if (first instanceof Uint8Array) {
    if (first.length === n || (first.length < n && q.length === 1))
      return { bytes: first, count: exact(first.length), rest: q.length === 1 ? NO_BYTES : q.slice(1) };
    if (first.length > n) return { bytes: first.subarray(0, n), count: exact(n), rest: [first.subarray(n), ...q.slice(1)] };
  }
  // How far the known bytes go: whole chunks, then part of one, or a ranged run that makes the count a range.
  let need = n;
  let i = 0;
  for (; need > 0 && i < q.length; i++) {
    const c = q[i];
    const len = c instanceof Uint8Array ? c.length : c.lo === c.hi ? c.lo : -1;
    if (len < 0 || len > need) break;
    need -= len;
  }
  if (need > 0 && i < q.length) {
    const c = q[i];
    if (c instanceof Uint8Array || c.lo >= need) {
      // Part of a known chunk (or of a run surely long enough) ends the read.
      const bytes = gather(q, i, need);
      const rest = c instanceof Uint8Array ? [c.subarray(need), ...q.slice(i + 1)] : [xRun(c.lo - need, c.hi - need), ...q.slice(i + 1)];
      return { bytes, count: exact(n), rest };
    }
    // The run may end before n: how much comes is a range, and what follows it is unknown.
    const known = n - need;
    const tail = length(q.slice(i + 1));
    const lo = known + Math.min(need, c.lo + tail.lo);
    const hi = known + Math.min(need, c.hi + tail.hi);
    const left = Math.max(0, c.hi + tail.hi - need);
    return { bytes: null, count: { lo, hi }, rest: left > 0 ? uncertainRest(left) : [] };
  }
  return { bytes: gather(q, i, 0), count: exact(n - need), rest: q.slice(i) };
}

/** The bytes of chunks 0..i-1 (exact ones) and `extra` bytes of chunk i, in one array. */
function gather(q: Chunks, i: number, extra: number): Uint8Array {
  let total = extra;
  for (let k = 0; k < i; k++) total += chunkLo(q[k]);
  const out = new Uint8Array(total);
  let at = 0;
  for (let k = 0; k <= i && k < q.length; k++) {
    const c = q[k];
    const len = k < i ? chunkLo(c) : extra;
    if (!len) continue;
    if (c instanceof Uint8Array) out.set(len === c.length ? c : c.subarray(0, len), at);
    else out.fill(X, at, at + len);
    at += len;
  }
  return out;
}

/** After a read whose count is a range, what is left is known only as a range of 'x' bytes. */
function uncertainRest(hi: number): Chunks {
  return [xRun(0, hi)];
}

/** Everything queued, taken at once (a drain). */
export function takeAll(q: Chunks): Taken {
  const r = length(q);
  if (r.lo !== r.hi) return { bytes: null, count: r, rest: [] };
  const out = new Uint8Array(r.lo);
  let at = 0;
  for (const c of q) {
    if (c instanceof Uint8Array) {
      out.set(c, at);
      at += c.length;
    } else {
      out.fill(X, at, at + c.lo);
      at += c.lo;
    }
  }
  return { bytes: out, count: r, rest: [] };
}

/** `n` bytes of 'x' (write A N, fill). */
export function xBytes(n: number): Uint8Array {
  return new Uint8Array(n).fill(X);
}
