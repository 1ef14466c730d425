// eventfd (eventfd(2), fs/eventfd.c): a 64-bit counter. A write of exactly 8 bytes adds its
// little-endian value; a read of at least 8 bytes takes the whole counter and resets it.
import { EPOLL_FLAGS } from '@epl/program';
import { E, fail, Step, value, bytesRead } from './outcome';
import { addFile, addObj, CounterObj, FileId, file, objOf, State, updateObj } from './state';
import { defineReasons, StepLog } from './why';
import type { Payload } from './pipe';

const { IN, OUT, ERR } = EPOLL_FLAGS;
const MAX = (1n << 64n) - 1n;

defineReasons({
  'eventfd.write': (o) => `${o.name}: 8 bytes add ${o.v} to the counter (now ${o.count})`,
  'eventfd.write-size': (o) => `${o.name}: an eventfd write must be exactly 8 bytes, not ${o.n}: EINVAL (eventfd(2))`,
  'eventfd.write-max': (o) => `${o.name}: 0xffffffffffffffff is not a value a write may add: EINVAL (eventfd(2))`,
  'eventfd.write-overflow': (o) => `${o.name}: the counter (${o.count}) plus ${o.v} would pass 2^64-2: a non-blocking write gets EAGAIN`,
  'eventfd.read': (o) => `${o.name}: a read takes the whole counter (${o.count}) and resets it to 0`,
  'eventfd.read-size': (o) => `${o.name}: an eventfd read needs room for 8 bytes, not ${o.n}: EINVAL (eventfd(2))`,
  'eventfd.read-zero': (o) => `${o.name}: the counter is 0: a non-blocking read gets EAGAIN`,
  'eventfd.fill': (o) => `${o.name}: fill writes 1 MiB at once, not 8 bytes: EINVAL`,
  'eventfd.drain': (o) => `${o.name}: drain reads the counter (${o.count}) once, then finds it 0 (EAGAIN ends the drain)`,
});

/** eventfd(N): the counter starts at N taken as an unsigned int (eventfd(2)). */
export function counterCreate(s: State, initial: number): [State, FileId] {
  const [s1, o] = addObj(s, { kind: 'eventfd', count: BigInt(initial >>> 0) });
  return addFile(s1, 'eventfd', o);
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

/** eventfd_write: exactly 8 bytes, not ULLONG_MAX, and no overflow past 2^64-2; a success wakes waiters with IN (even when it adds 0). */
export function counterWrite(s: State, log: StepLog, f: FileId, name: string, data: Payload): Step {
  const size = typeof data === 'number' ? data : data.length;
  if (size !== 8) {
    log.because('eventfd.write-size', { name, n: size });
    return { s, r: fail(E.EINVAL) };
  }
  const v = typeof data === 'number' ? le64(new Uint8Array(8).fill(0x78)) : le64(data);
  if (v === MAX) {
    log.because('eventfd.write-max', { name });
    return { s, r: fail(E.EINVAL) };
  }
  const c = objOf<CounterObj>(s, f);
  if (!(MAX - c.count > v)) {
    log.because('eventfd.write-overflow', { name, count: c.count.toString(), v: v.toString() });
    return { s, r: fail(E.EAGAIN) };
  }
  const count = c.count + v;
  log.because('eventfd.write', { name, v: v.toString(), count: count.toString() });
  log.wake(f, IN);
  return { s: updateObj<CounterObj>(s, file(s, f).obj, { count }), r: value(8) };
}

/** eventfd_read: at least 8 bytes of room; EAGAIN at 0; otherwise the counter, reset to 0, and waiters woken with OUT. */
export function counterRead(s: State, log: StepLog, f: FileId, name: string, n: number): Step {
  if (n < 8) {
    log.because('eventfd.read-size', { name, n });
    return { s, r: fail(E.EINVAL) };
  }
  const c = objOf<CounterObj>(s, f);
  if (c.count === 0n) {
    log.because('eventfd.read-zero', { name });
    return { s, r: fail(E.EAGAIN) };
  }
  log.because('eventfd.read', { name, count: c.count.toString() });
  log.wake(f, OUT);
  return { s: updateObj<CounterObj>(s, file(s, f).obj, { count: 0n }), r: bytesRead(toLe64(c.count), { lo: 8, hi: 8 }) };
}

/** fill: the first 1 MiB write is EINVAL, and that is the result. */
export function counterFill(s: State, log: StepLog, name: string): Step {
  log.because('eventfd.fill', { name });
  return { s, r: fail(E.EINVAL) };
}

/** drain: one read of 1 MiB takes the counter, the next gets EAGAIN; a counter of 0 drains 0 bytes. */
export function counterDrain(s: State, log: StepLog, f: FileId, name: string): Step {
  const c = objOf<CounterObj>(s, f);
  if (c.count === 0n) {
    log.because('eventfd.read-zero', { name });
    return { s, r: bytesRead(new Uint8Array(0), { lo: 0, hi: 0 }) };
  }
  log.because('eventfd.drain', { name, count: c.count.toString() });
  log.wake(f, OUT);
  return { s: updateObj<CounterObj>(s, file(s, f).obj, { count: 0n }), r: bytesRead(toLe64(c.count), { lo: 8, hi: 8 }) };
}
