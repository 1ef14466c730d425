// eventfd (eventfd(2), fs/eventfd.c): a 64-bit counter. A write of exactly 8 bytes adds its
// little-endian value; a read of at least 8 bytes takes the whole counter and resets it.
import { EPOLL_FLAGS } from '@epl/program';
import { E, EMPTY_READ, fail, Outcome, value, bytesRead } from './outcome';
import { CounterObj, Draft, FileId } from './state';
import { defineReasons, StepLog } from './why';
import type { Payload } from './pipe';

const { IN, OUT, ERR } = EPOLL_FLAGS;
const MAX = (1n << 64n) - 1n;

defineReasons({
  'eventfd.write': ['name v count', (o) => `${o.name}: 8 bytes add ${o.v} to the counter (now ${o.count})`],
  'eventfd.write-size': ['name n', (o) => `${o.name}: an eventfd write must be exactly 8 bytes, not ${o.n}: EINVAL (eventfd(2))`],
  'eventfd.write-max': ['name', (o) => `${o.name}: 0xffffffffffffffff is not a value a write may add: EINVAL (eventfd(2))`],
  'eventfd.write-overflow': ['name count v', (o) => `${o.name}: the counter (${o.count}) plus ${o.v} would pass 2^64-2: a non-blocking write gets EAGAIN`],
  'eventfd.read': ['name count', (o) => `${o.name}: a read takes the whole counter (${o.count}) and resets it to 0`],
  'eventfd.read-size': ['name n', (o) => `${o.name}: an eventfd read needs room for 8 bytes, not ${o.n}: EINVAL (eventfd(2))`],
  'eventfd.read-zero': ['name', (o) => `${o.name}: the counter is 0: a non-blocking read gets EAGAIN`],
  'eventfd.fill': ['name', (o) => `${o.name}: fill writes 1 MiB at once, not 8 bytes: EINVAL`],
  'eventfd.drain': ['name count', (o) => `${o.name}: drain reads the counter (${o.count}) once, then finds it 0 (EAGAIN ends the drain)`],
});

/** eventfd(N): the counter starts at N taken as an unsigned int (eventfd(2)). */
export function counterCreate(d: Draft, initial: number): FileId {
  return d.addFile('eventfd', d.addObj({ kind: 'eventfd', count: BigInt(initial >>> 0) }));
}

/** eventfd_poll: IN when the counter is above 0; OUT while it is below 2^64-2; ERR at 2^64-1 (only the kernel's own eventfd_signal gets there). */
export function counterPoll(c: CounterObj): number {
  let m = 0;
  if (c.count > 0n) m |= IN;
  if (c.count === MAX) m |= ERR;
  if (MAX - 1n > c.count) m |= OUT;
  return m;
}

function le64(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function toLe64(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  let x = v;
  for (let i = 0; i < 8; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * eventfd_write: exactly 8 bytes, not ULLONG_MAX, and no overflow past 2^64-2; a success wakes
 * waiters with IN, even when it adds 0.
 * Experiment: `eventfd e 1`, `add p e IN|ET`, `wait p` => e: IN, `wait p` => none, writing eight
 * zero bytes, `wait p` => e: IN again (tests/eventfd.test.ts).
 */
export function counterWrite(d: Draft, log: StepLog, f: FileId, name: string, data: Payload): Outcome {
  const size = typeof data === 'number' ? data : data.length;
  if (size !== 8) {
    log.because('eventfd.write-size', name, size);
    return fail(E.EINVAL);
  }
  const v = typeof data === 'number' ? X8 : le64(data);
  if (v === MAX) {
    log.because('eventfd.write-max', name);
    return fail(E.EINVAL);
  }
  const c = d.counter(d.file(f).obj);
  if (!(MAX - c.count > v)) {
    log.because('eventfd.write-overflow', name, c.count.toString(), v.toString());
    return fail(E.EAGAIN);
  }
  const count = c.count + v;
  log.because('eventfd.write', name, v, count);
  log.wake(f, IN);
  d.counterW(d.file(f).obj).count = count;
  return value(8);
}

/** `write E 8`: eight 'x' bytes. */
const X8 = 0x7878787878787878n;

/** eventfd_read: at least 8 bytes of room; EAGAIN at 0; otherwise the counter, reset to 0, and waiters woken with OUT. */
export function counterRead(d: Draft, log: StepLog, f: FileId, name: string, n: number): Outcome {
  if (n < 8) {
    log.because('eventfd.read-size', name, n);
    return fail(E.EINVAL);
  }
  return takeCounter(d, log, f, name, 'eventfd.read', fail(E.EAGAIN));
}

/** eventfd_read's core: the counter is taken and reset; writers are woken (OUT). */
function takeCounter(d: Draft, log: StepLog, f: FileId, name: string, rule: string, atZero: Outcome): Outcome {
  const id = d.file(f).obj;
  const count = d.counter(id).count;
  if (count === 0n) {
    log.because('eventfd.read-zero', name);
    return atZero;
  }
  log.because(rule, name, count);
  log.wake(f, OUT);
  d.counterW(id).count = 0n;
  return bytesRead(toLe64(count), EIGHT);
}

const EIGHT = { lo: 8, hi: 8 };

/** fill: the first 1 MiB write is EINVAL, and that is the result. */
export function counterFill(log: StepLog, name: string): Outcome {
  log.because('eventfd.fill', name);
  return fail(E.EINVAL);
}

/** drain: one read of 1 MiB takes the counter, the next gets EAGAIN; a counter of 0 drains 0 bytes. */
export function counterDrain(d: Draft, log: StepLog, f: FileId, name: string): Outcome {
  return takeCounter(d, log, f, name, 'eventfd.drain', EMPTY_READ);
}
