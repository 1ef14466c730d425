// Pipes (pipe(7), fs/pipe.c): a ring of 16 page buffers, one-way, no shutdown. Readiness is by
// slots, not bytes: the write end stops being writable when all 16 slots hold a page, however
// little each page holds.
import { EPOLL_FLAGS } from '@epl/program';
import { append, Chunk, length, NO_BYTES, take, xRun } from './bytes';
import { E, EMPTY_READ, fail, Outcome, value, bytesRead } from './outcome';
import { Draft, FileId, PipeBuf, PipeObj } from './state';
import { defineReasons, StepLog } from './why';

const { IN, OUT, ERR, HUP, RDNORM, WRNORM } = EPOLL_FLAGS;
export const PAGE_SIZE = 4096;
/** pipe->max_usage: PIPE_DEF_BUFFERS, 16 pages (64 KiB when every page is full). */
export const PIPE_SLOTS = 16;
const MIB = 1 << 20;

defineReasons({
  'pipe.write': ['name n slots', (o) => `${o.name} wrote ${o.n} byte(s) into the pipe (${o.slots} of 16 page slots in use now)`],
  'pipe.write-merge': ['n', (o) => `the ${o.n} byte(s) fit in the last page, which already held data: they join it and take no new slot`],
  'pipe.write-partial': ['n asked', (o) => `only ${o.n} of ${o.asked} byte(s) fit: all 16 page slots are in use (a non-blocking write returns what it wrote)`],
  'pipe.write-full': ['name', (o) => `${o.name}: all 16 page slots of the pipe are in use, so a non-blocking write gets EAGAIN (pipe(7))`],
  'pipe.write-no-reader': ['name', (o) => `${o.name}: the pipe has no read end open any more: EPIPE (SIGPIPE is ignored)`],
  'pipe.write-empty': ['name', (o) => `${o.name}: a write of 0 bytes returns 0 at once, before the pipe is even looked at (pipe_write)`],
  'pipe.read': ['name n', (o) => `${o.name} read ${o.n} byte(s) from the pipe`],
  'pipe.read-empty': ['name', (o) => `${o.name}: the pipe is empty and a writer is still open: EAGAIN`],
  'pipe.read-eof': ['name', (o) => `${o.name}: the pipe is empty and no write end is open: end of file (0)`],
  'pipe.read-zero': ['name', (o) => `${o.name}: a read of 0 bytes returns 0 at once (pipe_read)`],
  'pipe.fill': [
    'n',
    (o) => `fill wrote ${o.n} byte(s): a 1 MiB write takes whole pages (no merge: its size is a multiple of the page) until the 16 slots are in use`,
  ],
  'pipe.drain': ['n', (o) => `drain read the ${o.n} byte(s) the pipe held; the next read found it empty`],
  'pipe.release-last': ['end', (o) => `the last ${o.end} end of the pipe is closed: the other end's waiters are woken (pipe_release)`],
});

/** What a write sends: the bytes of a string, or a count of 'x' bytes (write A N, fill). */
export type Payload = Uint8Array | number;

export function payloadLength(d: Payload): number {
  return typeof d === 'number' ? d : d.length;
}

/** The first `n` bytes of a payload, as a queue chunk. */
export function payloadChunk(d: Payload, n: number): Chunk {
  return typeof d === 'number' ? xRun(n) : n === d.length ? d : d.subarray(0, n);
}

/** pipe2(): one pipe, a read-end file and a write-end file. */
export function pipeCreate(d: Draft): [FileId, FileId] {
  const p = d.addObj({ kind: 'pipe', bufs: [], data: NO_BYTES, readers: 1, writers: 1, pollUsage: false });
  return [d.addFile('pipe-r', p), d.addFile('pipe-w', p)];
}

function full(p: PipeObj): boolean {
  return p.bufs.length >= PIPE_SLOTS;
}

/** pipe_poll (fs/pipe.c): IN when a slot holds data; HUP on the read end once no writer is left; OUT while a slot is free; ERR on the write end once no reader is left. */
export function pipePoll(p: PipeObj, readEnd: boolean): number {
  if (readEnd) return (p.bufs.length ? IN | RDNORM : 0) | (p.writers === 0 ? HUP : 0);
  return (full(p) ? 0 : OUT | WRNORM) | (p.readers === 0 ? ERR : 0);
}

/**
 * pipe_poll marks the pipe as polled: from then on every write wakes the readers, empty or not,
 * which re-queues an edge-triggered registration that already reported the data.
 * Experiment: `add e r IN|ET`, `write w "a"`, `wait e` => r: IN, `write w "b"`, `wait e` => r: IN
 * again (tests/pipe.test.ts, once polled).
 */
export function pipeAfterPoll(d: Draft, f: FileId): void {
  const id = d.file(f).obj;
  if (!d.pipe(id).pollUsage) d.pipeW(id).pollUsage = true;
}

/** The read end's and write end's files of a pipe, -1 when closed. */
function ends(d: Draft, objId: number): [FileId, FileId] {
  let r = -1;
  let w = -1;
  for (let id = 0; id < d.files.length; id++) {
    const f = d.files[id];
    if (f && f.obj === objId) {
      if (f.kind === 'pipe-r') r = id;
      else if (f.kind === 'pipe-w') w = id;
    }
  }
  return [r, w];
}

/**
 * pipe_write (fs/pipe.c): merge a tail shorter than a page into the last page when it fits, then
 * whole pages while slots are free. Writability counts slots, not bytes.
 * Experiment: sixteen `write w 4096` leave w unwritable (no OUT, `write w "a"` => EAGAIN), but
 * sixteen `write w "a"` take one slot and a `fill w` after them writes 15 · 4096 (tests/pipe.test.ts).
 */
export function pipeWrite(d: Draft, log: StepLog, f: FileId, name: string, data: Payload): Outcome {
  const objId = d.file(f).obj;
  const p = d.pipe(objId);
  const size = payloadLength(data);
  if (size === 0) {
    log.because('pipe.write-empty', name);
    return value(0);
  }
  const wasEmpty = p.bufs.length === 0;
  const pollUsage = p.pollUsage;
  let r: Outcome;
  if (p.readers === 0) {
    log.because('pipe.write-no-reader', name);
    r = fail(E.EPIPE);
  } else {
    let written = 0;
    const tail = size % PAGE_SIZE;
    let merged = -1;
    if (tail && p.bufs.length) {
      const last = p.bufs[p.bufs.length - 1];
      if (last.off + last.len + tail <= PAGE_SIZE) {
        merged = last.len + tail;
        written = tail;
        log.because('pipe.write-merge', tail);
      }
    }
    const pages = Math.min(PIPE_SLOTS - p.bufs.length, Math.ceil((size - written) / PAGE_SIZE));
    if (written === 0 && pages === 0) {
      log.because('pipe.write-full', name);
      r = fail(E.EAGAIN);
    } else {
      const w = d.pipeW(objId);
      if (merged >= 0) w.bufs[w.bufs.length - 1] = { off: w.bufs[w.bufs.length - 1].off, len: merged };
      for (let k = 0; k < pages; k++) {
        const n = Math.min(PAGE_SIZE, size - written);
        w.bufs.push({ off: 0, len: n });
        written += n;
      }
      w.data = append(w.data, payloadChunk(data, written));
      if (written < size) log.because('pipe.write-partial', written, size);
      else log.because('pipe.write', name, written, w.bufs.length);
      r = value(written);
    }
  }
  // "Epoll nonsensically wants a wakeup whether the pipe was already empty or not": once polled, every write (even a failed one) wakes the readers.
  if (wasEmpty || pollUsage) {
    const [rd] = ends(d, objId);
    if (rd >= 0) log.wake(rd, IN | RDNORM);
  }
  return r;
}

/** Consume `n` bytes from the ring: a page whose bytes are all read frees its slot. */
function consume(bufs: PipeBuf[], n: number): void {
  let left = n;
  while (left > 0 && bufs.length) {
    const b = bufs[0];
    if (b.len <= left) {
      left -= b.len;
      bufs.shift();
    } else {
      bufs[0] = { off: b.off + left, len: b.len - left };
      left = 0;
    }
  }
}

/** pipe_read (fs/pipe.c): bytes in order; EAGAIN when empty with a writer; EOF without one; writers are woken only if the pipe was full. */
export function pipeRead(d: Draft, log: StepLog, f: FileId, name: string, n: number): Outcome {
  const objId = d.file(f).obj;
  const p = d.pipe(objId);
  if (n === 0) {
    log.because('pipe.read-zero', name);
    return value(0);
  }
  if (p.bufs.length === 0) {
    if (p.writers === 0) {
      log.because('pipe.read-eof', name);
      return EMPTY_READ;
    }
    log.because('pipe.read-empty', name);
    return fail(E.EAGAIN);
  }
  const wasFull = full(p);
  const t = take(p.data, n);
  log.because('pipe.read', name, t.count.lo);
  const w = d.pipeW(objId);
  consume(w.bufs, t.count.lo);
  w.data = t.rest;
  if (wasFull) {
    const [, wr] = ends(d, objId);
    if (wr >= 0) log.wake(wr, OUT | WRNORM);
  }
  return bytesRead(t.bytes, t.count);
}

/** A fill of a pipe: 1 MiB writes (whole pages, never merged) until EAGAIN, or the error of the first. */
export function pipeFill(d: Draft, log: StepLog, f: FileId, name: string): Outcome {
  const calls = new StepLog(log.names);
  const first = pipeWrite(d, calls, f, name, MIB);
  log.wakes.push(...calls.wakes);
  if (first.errno) {
    log.adopt(calls.why[0]);
    return first.errno === E.EAGAIN ? value(0) : first;
  }
  // The pipe is full after the first write: the next one gets EAGAIN, which ends the fill.
  const again = new StepLog(log.names);
  pipeWrite(d, again, f, name, MIB);
  log.wakes.push(...again.wakes);
  log.because('pipe.fill', first.ret);
  return first;
}

/** A drain of a pipe: 1 MiB reads until EAGAIN or end of file; the error of the first read if it failed otherwise. */
export function pipeDrain(d: Draft, log: StepLog, f: FileId, name: string): Outcome {
  const calls = new StepLog(log.names);
  const first = pipeRead(d, calls, f, name, MIB);
  log.wakes.push(...calls.wakes);
  if (first.errno === E.EAGAIN) {
    log.because('pipe.read-empty', name);
    return EMPTY_READ;
  }
  if (first.errno || first.ret === 0) {
    log.adopt(calls.why[0]);
    return first;
  }
  log.because('pipe.drain', first.ret);
  return first;
}

/** The bytes queued in a pipe (for the state view). */
export function pipeQueued(p: PipeObj): number {
  return length(p.data).lo;
}

/** pipe_release (fs/pipe.c): one end fewer; when that was the last of its side but the other side remains, both wait queues are woken with no key. */
export function pipeRelease(d: Draft, log: StepLog, f: FileId): void {
  const fl = d.file(f);
  const w = d.pipeW(fl.obj);
  const readEnd = fl.kind === 'pipe-r';
  if (readEnd) w.readers--;
  else w.writers--;
  if (!w.readers !== !w.writers) {
    log.because('pipe.release-last', readEnd ? 'read' : 'write');
    const [r, wr] = ends(d, fl.obj);
    if (r >= 0 && r !== f) log.wake(r, 0);
    if (wr >= 0 && wr !== f) log.wake(wr, 0);
  }
  if (w.readers === 0 && w.writers === 0) d.removeObj(fl.obj);
}
