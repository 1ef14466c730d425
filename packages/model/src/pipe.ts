// Pipes (pipe(7), fs/pipe.c): a ring of 16 page buffers, one-way, no shutdown. Readiness is by
// slots, not bytes: the write end stops being writable when all 16 slots hold a page, however
// little each page holds.
import { EPOLL_FLAGS } from '@epl/program';
import { append, Chunk, length, NO_BYTES, take, xRun } from './bytes';
import { E, fail, Step, value, bytesRead } from './outcome';
import { addFile, addObj, FileId, objOf, PipeBuf, PipeObj, State, file, updateObj } from './state';
import { defineReasons, StepLog } from './why';

const { IN, OUT, ERR, HUP, RDNORM, WRNORM } = EPOLL_FLAGS;
export const PAGE_SIZE = 4096;
/** pipe->max_usage: PIPE_DEF_BUFFERS, 16 pages (64 KiB when every page is full). */
export const PIPE_SLOTS = 16;

defineReasons({
  'pipe.write': (o) => `${o.name} wrote ${o.n} byte(s) into the pipe (${o.slots} of 16 page slots in use now)`,
  'pipe.write-merge': (o) => `the ${o.n} byte(s) fit in the last page, which already held data: they join it and take no new slot`,
  'pipe.write-partial': (o) => `only ${o.n} of ${o.asked} byte(s) fit: all 16 page slots are in use (a non-blocking write returns what it wrote)`,
  'pipe.write-full': (o) => `${o.name}: all 16 page slots of the pipe are in use, so a non-blocking write gets EAGAIN (pipe(7))`,
  'pipe.write-no-reader': (o) => `${o.name}: the pipe has no read end open any more: EPIPE (SIGPIPE is ignored)`,
  'pipe.write-empty': (o) => `${o.name}: a write of 0 bytes returns 0 at once, before the pipe is even looked at (pipe_write)`,
  'pipe.read': (o) => `${o.name} read ${o.n} byte(s) from the pipe`,
  'pipe.read-empty': (o) => `${o.name}: the pipe is empty and a writer is still open: EAGAIN`,
  'pipe.read-eof': (o) => `${o.name}: the pipe is empty and no write end is open: end of file (0)`,
  'pipe.read-zero': (o) => `${o.name}: a read of 0 bytes returns 0 at once (pipe_read)`,
  'pipe.wrong-end': (o) => `${o.name} is the ${o.end} end of a pipe, not open for ${o.op}: EBADF (vfs_${o.op})`,
  'pipe.fill': (o) => `fill wrote ${o.n} byte(s): a 1 MiB write takes whole pages (no merge: its size is a multiple of the page) until the 16 slots are in use`,
  'pipe.release-last': (o) => `the last ${o.end} end of the pipe is closed: the other end's waiters are woken (pipe_release)`,
});

export function pipeCreate(s: State): [State, FileId, FileId] {
  const [s1, p] = addObj(s, { kind: 'pipe', bufs: [], data: NO_BYTES, readers: 1, writers: 1, pollUsage: false });
  const [s2, r] = addFile(s1, 'pipe-r', p);
  const [s3, w] = addFile(s2, 'pipe-w', p);
  return [s3, r, w];
}

function full(p: PipeObj): boolean {
  return p.bufs.length >= PIPE_SLOTS;
}

/** pipe_poll (fs/pipe.c): IN when a slot holds data; HUP on the read end once no writer is left; OUT while a slot is free; ERR on the write end once no reader is left. */
export function pipePoll(p: PipeObj, readEnd: boolean): number {
  if (readEnd) {
    let m = p.bufs.length ? IN | RDNORM : 0;
    if (p.writers === 0) m |= HUP;
    return m;
  }
  let m = full(p) ? 0 : OUT | WRNORM;
  if (p.readers === 0) m |= ERR;
  return m;
}

/** pipe_poll marks the pipe as polled: from then on every write wakes the readers, empty or not. */
export function pipeAfterPoll(s: State, f: FileId): State {
  const p = objOf<PipeObj>(s, f);
  return p.pollUsage ? s : updateObj<PipeObj>(s, file(s, f).obj, { pollUsage: true });
}

/** The read end's and write end's files of a pipe, -1 when closed. */
function ends(s: State, objId: number): [FileId, FileId] {
  let r = -1;
  let w = -1;
  s.files.forEach((f, id) => {
    if (f && f.obj === objId) {
      if (f.kind === 'pipe-r') r = id;
      else if (f.kind === 'pipe-w') w = id;
    }
  });
  return [r, w];
}

/** pipe_write (fs/pipe.c): merge a tail shorter than a page into the last page when it fits, then whole pages while slots are free. */
export function pipeWrite(s: State, log: StepLog, f: FileId, name: string, data: Payload): Step {
  const objId = file(s, f).obj;
  const p = objOf<PipeObj>(s, f);
  const size = payloadLength(data);
  if (size === 0) {
    log.because('pipe.write-empty', { name });
    return { s, r: value(0) };
  }
  const wasEmpty = p.bufs.length === 0;
  let r: Step;
  if (p.readers === 0) {
    log.because('pipe.write-no-reader', { name });
    r = { s, r: fail(E.EPIPE) };
  } else {
    const bufs = p.bufs.slice();
    let written = 0;
    const tail = size % PAGE_SIZE;
    if (tail && bufs.length) {
      const last = bufs[bufs.length - 1];
      if (last.off + last.len + tail <= PAGE_SIZE) {
        bufs[bufs.length - 1] = { off: last.off, len: last.len + tail };
        written = tail;
        log.because('pipe.write-merge', { n: tail });
      }
    }
    while (written < size && bufs.length < PIPE_SLOTS) {
      const n = Math.min(PAGE_SIZE, size - written);
      bufs.push({ off: 0, len: n });
      written += n;
    }
    if (written === 0) {
      log.because('pipe.write-full', { name });
      r = { s, r: fail(E.EAGAIN) };
    } else {
      if (written < size) log.because('pipe.write-partial', { n: written, asked: size });
      else log.because('pipe.write', { name, n: written, slots: bufs.length });
      const ns = updateObj<PipeObj>(s, objId, { bufs, data: append(p.data, payloadChunk(data, written)) });
      r = { s: ns, r: value(written) };
    }
  }
  // "Epoll nonsensically wants a wakeup whether the pipe was already empty or not": once polled, every write (even a failed one) wakes the readers.
  if (wasEmpty || p.pollUsage) {
    const [rd] = ends(s, objId);
    if (rd >= 0) log.wake(rd, IN | RDNORM);
  }
  return r;
}

/** What a write sends: the bytes of a string, or a count of 'x' bytes (write A N, fill). */
export type Payload = Uint8Array | number;

export function payloadLength(d: Payload): number {
  return typeof d === 'number' ? d : d.length;
}

/** The first `n` bytes of a payload, as a queue chunk. */
export function payloadChunk(d: Payload, n: number): Chunk {
  return typeof d === 'number' ? xRun(n) : n === d.length ? d : d.subarray(0, n);
}

/** A fill of a pipe: 1 MiB writes (whole pages, never merged) until EAGAIN, or the error of the first. */
export function pipeFill(s: State, log: StepLog, f: FileId, name: string): Step {
  const calls = new StepLog(log.names);
  const first = pipeWrite(s, calls, f, name, MIB);
  let out: Step;
  if (first.r.errno) {
    out = first.r.errno === E.EAGAIN ? { s, r: value(0) } : first;
  } else {
    // The pipe is full after the first write: the next one gets EAGAIN, which ends the fill.
    out = { s: pipeWrite(first.s, calls, f, name, MIB).s, r: value(first.r.ret) };
  }
  log.because(first.r.errno && first.r.errno !== E.EAGAIN ? calls.why[0].rule : 'pipe.fill', first.r.errno ? { name } : { n: first.r.ret });
  log.wakes.push(...calls.wakes);
  return out;
}

const MIB = 1 << 20;

/** A drain of a pipe: 1 MiB reads until EAGAIN or end of file; the error of the first read if it failed otherwise. */
export function pipeDrain(s: State, log: StepLog, f: FileId, name: string): Step {
  const calls = new StepLog(log.names);
  const first = pipeRead(s, calls, f, name, MIB);
  let out: Step = first;
  if (first.r.errno === E.EAGAIN) out = { s, r: bytesRead(new Uint8Array(0), { lo: 0, hi: 0 }) };
  else if (!first.r.errno && first.r.ret > 0) pipeRead(first.s, calls, f, name, MIB); // finds the pipe empty: EAGAIN or end of file
  log.because(calls.why[0].rule, calls.why[0].objects);
  log.wakes.push(...calls.wakes);
  return out;
}

/** Consume `n` bytes from the ring: a page whose bytes are all read frees its slot. */
function consume(bufs: readonly PipeBuf[], n: number): PipeBuf[] {
  const out = bufs.slice();
  let left = n;
  while (left > 0 && out.length) {
    const b = out[0];
    if (b.len <= left) {
      left -= b.len;
      out.shift();
    } else {
      out[0] = { off: b.off + left, len: b.len - left };
      left = 0;
    }
  }
  return out;
}

/** pipe_read (fs/pipe.c): bytes in order; EAGAIN when empty with a writer; EOF without one; writers are woken only if the pipe was full. */
export function pipeRead(s: State, log: StepLog, f: FileId, name: string, n: number): Step {
  const objId = file(s, f).obj;
  const p = objOf<PipeObj>(s, f);
  if (n === 0) {
    log.because('pipe.read-zero', { name });
    return { s, r: value(0) };
  }
  if (p.bufs.length === 0) {
    if (p.writers === 0) {
      log.because('pipe.read-eof', { name });
      return { s, r: bytesRead(new Uint8Array(0), { lo: 0, hi: 0 }) };
    }
    log.because('pipe.read-empty', { name });
    return { s, r: fail(E.EAGAIN) };
  }
  const wasFull = full(p);
  const t = take(p.data, n);
  const got = t.count.lo;
  log.because('pipe.read', { name, n: got });
  const ns = updateObj<PipeObj>(s, objId, { bufs: consume(p.bufs, got), data: t.rest });
  if (wasFull) {
    const [, wr] = ends(s, objId);
    if (wr >= 0) log.wake(wr, OUT | WRNORM);
  }
  return { s: ns, r: bytesRead(t.bytes, t.count) };
}

/** The bytes queued in a pipe (for the state view). */
export function pipeQueued(p: PipeObj): number {
  return length(p.data).lo;
}

/** pipe_release (fs/pipe.c): one end fewer; when that was the last of its side but the other side remains, both wait queues are woken with no key. */
export function pipeRelease(s: State, log: StepLog, f: FileId): State {
  const fl = file(s, f);
  const p = objOf<PipeObj>(s, f);
  const readEnd = fl.kind === 'pipe-r';
  const readers = p.readers - (readEnd ? 1 : 0);
  const writers = p.writers - (readEnd ? 0 : 1);
  if (!readers !== !writers) {
    log.because('pipe.release-last', { end: readEnd ? 'read' : 'write' });
    const [r, w] = ends(s, fl.obj);
    if (r >= 0 && r !== f) log.wake(r, 0);
    if (w >= 0 && w !== f) log.wake(w, 0);
  }
  return updateObj<PipeObj>(s, fl.obj, { readers, writers });
}
