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
  const out: number[] = [];
  let i = 0;
  let need = n;
  while (need > 0 && i < q.length) {
    const c = q[i];
    if (c instanceof Uint8Array) {
      if (c.length <= need) {
        for (const b of c) out.push(b);
        need -= c.length;
        i++;
      } else {
        for (let k = 0; k < need; k++) out.push(c[k]);
        return { bytes: Uint8Array.from(out), count: exact(n), rest: [c.subarray(need), ...q.slice(i + 1)] };
      }
    } else if (c.lo === c.hi && c.lo <= need) {
      // An exact run taken whole.
      for (let k = 0; k < c.lo; k++) out.push(X);
      need -= c.lo;
      i++;
    } else if (c.lo >= need) {
      for (let k = 0; k < need; k++) out.push(X);
      const rest = c.lo === need && c.hi === need ? q.slice(i + 1) : [xRun(c.lo - need, c.hi - need), ...q.slice(i + 1)];
      return { bytes: Uint8Array.from(out), count: exact(n), rest };
    } else {
      // The run may end before n: how much comes is a range, and what follows it is unknown.
      const restAfter = q.slice(i + 1);
      const tail = length(restAfter);
      const lo = out.length + Math.min(need, c.lo + tail.lo);
      const hi = out.length + Math.min(need, c.hi + tail.hi);
      const left = Math.max(0, c.hi + tail.hi - need);
      return { bytes: null, count: { lo, hi }, rest: left > 0 ? uncertainRest(left) : [] };
    }
  }
  return { bytes: Uint8Array.from(out), count: exact(out.length), rest: q.slice(i) };
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
