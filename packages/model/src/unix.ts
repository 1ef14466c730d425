// UNIX stream sockets (unix(7), net/unix/af_unix.c): socketpair() ends. No wire; each write is
// one skb in the peer's receive queue; shutdown is mirrored to the peer (SHUT_RD here is SHUT_WR
// there); closing one end shuts the other both ways and, with unread data, gives it ECONNRESET.
import { EPOLL_FLAGS, errnoName } from '@epl/program';
import { append, Chunks, exact, length, nonEmpty, Range, take, X, xRun } from './bytes';
import { E, EMPTY_READ, fail, OK, Outcome, value, bytesRead } from './outcome';
import { Payload, payloadLength } from './pipe';
import { Draft, FileId, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SockObj } from './state';
import { KEY_DATA, KEY_SPACE, newTcp } from './tcp';
import { defineReasons, StepLog } from './why';

const { IN, PRI, OUT, ERR, HUP, RDNORM, WRNORM, WRBAND, RDHUP } = EPOLL_FLAGS;
/** sk_sndbuf of a UNIX socket (net.core.wmem_default). */
const SNDBUF = 212992;
/** Largest skb unix_stream_sendmsg builds: SKB_MAX_HEAD(0) in the head plus UNIX_SKB_FRAGS_SZ in pages (and below sndbuf/2 - 64). */
const SKB_HEAD_MAX = 3776;
const SKB_MAX = Math.min(SKB_HEAD_MAX + 32768, (SNDBUF >> 1) - 64);

defineReasons({
  'unix.pair': ['a b', (o) => `socketpair(AF_UNIX, SOCK_STREAM): ${o.a} and ${o.b} are connected ends; nothing goes on a wire`],
  'unix.send': ['name n', (o) => `${o.name} queues ${o.n} byte(s) at its peer (one skb) and wakes its readers`],
  'unix.send-shutdown': ['name why', (o) => `${o.name} may not send any more (${o.why}): EPIPE`],
  'unix.send-notconn': ['name', (o) => `${o.name} has no peer: ENOTCONN`],
  'unix.send-full': ['name', (o) => `${o.name}'s send buffer is full: EAGAIN`],
  'unix.send-oob-empty': ['name', (o) => `${o.name}: MSG_OOB needs at least one byte: EOPNOTSUPP`],
  'unix.send-oob': [
    'name n',
    (o) => `${o.name} sends ${o.n} byte(s) with MSG_OOB: the last one is the out-of-band byte, an skb of its own (EPOLLPRI at the peer)`,
  ],
  'unix.recv': ['name n freed', (o) => `${o.name} reads ${o.n} byte(s)${o.freed ? '; the skbs it empties are freed, which wakes the writer (OUT)' : ''}`],
  'unix.recv-zero': ['name', (o) => `${o.name}: a read of 0 bytes returns 0 at once (sock_read_iter)`],
  'unix.recv-notconn': ['name', (o) => `${o.name} is not connected: EINVAL (unix_stream_read_generic)`],
  'unix.recv-error': ['name err', (o) => `${o.name}: no data and a pending error (${errnoName(Number(o.err))}): the read reports it and clears it`],
  'unix.recv-eof': ['name', (o) => `${o.name}: no data and its receive side is shut: end of file (0)`],
  'unix.recv-empty': ['name', (o) => `${o.name}: no data: EAGAIN`],
  'unix.recv-oob-stop': ['name', (o) => `${o.name} stops before the out-of-band byte`],
  'unix.recv-oob-skip': ['name', (o) => `${o.name} finds the out-of-band byte first and drops it (no SO_OOBINLINE)`],
  'unix.shutdown': ['name mine theirs', (o) => `${o.name} shuts its ${o.mine} side; unix_shutdown mirrors it to the peer, whose ${o.theirs} side is shut too`],
  'unix.shutdown-how': ['how', (o) => `${o.how} is not SHUT_RD, SHUT_WR or SHUT_RDWR: EINVAL`],
  'unix.close': [
    'name reset',
    (o) =>
      `${o.name}'s last close: the peer is shut both ways (HUP, RDHUP, EOF, EPIPE)${o.reset ? `, and gets ECONNRESET because ${o.name} had unread data` : ''}`,
  ],
  'unix.connect': ['', () => `a UNIX socket can connect only to a named UNIX address: EINVAL`],
  'unix.accept': ['', () => `a UNIX stream socket that is not listening: accept is EINVAL`],
  'unix.fill': [
    'n skbs',
    (o) =>
      `fill queues ${o.skbs} skbs of up to ${SKB_MAX} bytes at the peer (${o.n} bytes) until their memory reaches the send buffer (212992 bytes, skb overheads included)`,
  ],
  'unix.send-partial': ['name n asked', (o) => `${o.name}: only ${o.n} of ${o.asked} byte(s) fit before the skbs queued at the peer filled the send buffer`],
  'unix.linger': ['name', (o) => `${o.name}: SO_LINGER is accepted and means nothing for a UNIX socket`],
});

function newUnix(creator: number, state: 'ESTABLISHED' | 'CLOSE'): SockObj {
  return { ...newTcp(4, creator), proto: 'unix', af: 0, state, ss: state === 'ESTABLISHED' ? 'connected' : 'unconnected' };
}

/** socketpair(AF_UNIX, SOCK_STREAM): two connected ends. Returns their files. */
export function unixPair(d: Draft, a: number, b: number): [FileId, FileId] {
  const ia = d.addObj(newUnix(a, 'ESTABLISHED'));
  const ib = d.addObj(newUnix(b, 'ESTABLISHED'));
  const fa = d.addFile('socket', ia);
  const fb = d.addFile('socket', ib);
  const wa = d.sockW(ia);
  wa.peer = ib;
  wa.file = fa;
  const wb = d.sockW(ib);
  wb.peer = ia;
  wb.file = fb;
  return [fa, fb];
}

/** socket(AF_UNIX, SOCK_STREAM) that never connects (connect_new to an unnamed UNIX address fails). */
export function unixLone(d: Draft, creator: number): FileId {
  const id = d.addObj(newUnix(creator, 'CLOSE'));
  const f = d.addFile('socket', id);
  d.sockW(id).file = f;
  return f;
}

/** unix_poll: ERR for a pending error; HUP when shut both ways or never connected; IN|RDHUP when the receive side is shut; IN with an skb queued (the OOB one too); PRI with an OOB byte; OUT while the send buffer has room, even towards a peer that is gone. */
export function unixPoll(so: SockObj, wmem: number): number {
  let m = 0;
  if (so.err) m |= ERR;
  if (so.shutdown === SHUTDOWN_MASK) m |= HUP;
  if (so.shutdown & RCV_SHUTDOWN) m |= RDHUP | IN | RDNORM;
  if (nonEmpty(so.rcv)) m |= IN | RDNORM;
  if (so.urg) m |= PRI;
  if (so.state === 'CLOSE') m |= HUP;
  if (writable(wmem)) m |= OUT | WRNORM | WRBAND;
  return m;
}

/** unix_writable: the writer's skbs still queued at its peer take at most a quarter of its send buffer. */
function writable(wmem: number): boolean {
  return wmem * 4 <= SNDBUF;
}

/** The memory of a writer's skbs still queued at its peer (sk_wmem_alloc): the truesize of each. */
export function wmemOf(d: { objs: readonly unknown[] }, so: SockObj): number {
  const peer = so.peer >= 0 ? (d.objs[so.peer] as SockObj | null) : null;
  if (!peer) return 0;
  let n = 0;
  for (const t of peer.skbs) n += t;
  return n;
}

/**
 * An skb's truesize (SKB_TRUESIZE, alloc_skb_with_frags): the head is a kmalloc bucket (512,
 * 1024, 2048 or 4096 bytes, room for skb_shared_info included) plus 256 for the sk_buff; bytes
 * past the head go in pages. Measured on 6.18: OUT clears after 70 writes of ≤192 bytes, 42 of
 * ≤704, 24 of ≤1728, 13 of ≤3776, 11 of 4096, 1 of 65536, as this gives.
 */
export function truesize(size: number): number {
  const paged = size > SKB_HEAD_MAX ? Math.min(size, pageAlign(size - SKB_HEAD_MAX)) : 0;
  const head = size - paged + 320;
  const bucket = head <= 512 ? 512 : head <= 1024 ? 1024 : head <= 2048 ? 2048 : 4096;
  return 256 + bucket + pageAlign(paged);
}

function pageAlign(n: number): number {
  return Math.ceil(n / 4096) * 4096;
}

/** unix_stream_sendmsg: no peer → ENOTCONN; SEND_SHUTDOWN, a closed peer or one whose receive side is shut → EPIPE; each write is one skb at the peer, which is woken (IN). */
export function unixSend(d: Draft, log: StepLog, id: number, name: string, data: Payload, oob: boolean): Outcome {
  const so = d.sock(id);
  const n = payloadLength(data);
  if (oob && n === 0) {
    log.because('unix.send-oob-empty', name);
    return fail(E.EOPNOTSUPP);
  }
  if (so.peer < 0) {
    log.because('unix.send-notconn', name);
    return fail(E.ENOTCONN);
  }
  if (so.shutdown & SEND_SHUTDOWN) {
    log.because('unix.send-shutdown', name, 'its send side is shut');
    return fail(E.EPIPE);
  }
  if (n === 0) return value(0);
  const peer = d.sockOrNull(so.peer);
  if (!peer || peer.file < 0 || peer.shutdown & RCV_SHUTDOWN) {
    log.because('unix.send-shutdown', name, 'the peer is closed or its receive side is shut');
    return fail(E.EPIPE);
  }
  // sock_alloc_send_pskb: each skb needs the writer's queued memory below sk_sndbuf, else EAGAIN (or what was sent so far).
  let wmem = wmemOf(d, so);
  const body = oob ? n - 1 : n;
  let sent = 0;
  const p = d.sockW(so.peer);
  while (sent < body && wmem < SNDBUF) {
    const size = Math.min(body - sent, SKB_MAX);
    p.rcv = append(p.rcv, typeof data === 'number' ? xRun(size) : data.subarray(sent, sent + size));
    p.skbs = [...p.skbs, truesize(size)];
    wmem += truesize(size);
    sent += size;
  }
  if (sent < body) {
    if (sent === 0) {
      log.because('unix.send-full', name);
      return fail(E.EAGAIN);
    }
    log.because('unix.send-partial', name, sent, n);
    log.wake(peer.file, KEY_DATA);
    return value(sent);
  }
  if (oob) {
    if (wmem >= SNDBUF) {
      if (sent === 0) {
        log.because('unix.send-full', name);
        return fail(E.EAGAIN);
      }
      log.wake(peer.file, KEY_DATA);
      return value(sent);
    }
    const last = typeof data === 'number' ? X : data[n - 1];
    // queue_oob: the byte is an skb of its own and becomes the peer's oob_skb (an older one turns into plain data).
    p.urg = { byte: last, at: length(p.rcv).lo };
    p.rcv = append(p.rcv, Uint8Array.of(last));
    p.skbs = [...p.skbs, truesize(1)];
    log.because('unix.send-oob', name, n);
  } else log.because('unix.send', name, n);
  log.wake(peer.file, KEY_DATA);
  return value(n);
}

/** unix_stream_read_generic: across skbs up to n bytes; an OOB byte at the head is dropped (with nothing read yet) or ends the read. */
export function unixRecv(d: Draft, log: StepLog, id: number, name: string, n: number): Outcome {
  const so = d.sock(id);
  if (n === 0) {
    log.because('unix.recv-zero', name);
    return value(0);
  }
  if (so.state !== 'ESTABLISHED') {
    log.because('unix.recv-notconn', name);
    return fail(E.EINVAL);
  }
  let rcv: Chunks = so.rcv;
  let skbs = so.skbs;
  let urg = so.urg;
  const out: Uint8Array[] = [];
  let freed = false;
  let unsure = false;
  let got: Range = exact(0);
  let left = n;
  while (left > 0 && rcv.length) {
    if (urg && urg.at === 0) {
      if (got.hi > 0) {
        log.because('unix.recv-oob-stop', name);
        break;
      }
      log.because('unix.recv-oob-skip', name);
      rcv = rcv.slice(1);
      skbs = skbs.slice(1);
      urg = null;
      freed = true;
      continue;
    }
    const t = take([rcv[0]], urg ? Math.min(left, urg.at) : left);
    if (t.bytes) out.push(t.bytes);
    else unsure = true;
    got = { lo: got.lo + t.count.lo, hi: got.hi + t.count.hi };
    left -= t.count.hi;
    if (urg) urg = { byte: urg.byte, at: urg.at - t.count.lo };
    if (t.rest.length) {
      rcv = [...t.rest, ...rcv.slice(1)];
      break;
    }
    rcv = rcv.slice(1);
    skbs = skbs.slice(1);
    freed = true;
    if (unsure) break;
  }
  if (rcv !== so.rcv || urg !== so.urg) {
    const w = d.sockW(id);
    w.rcv = rcv;
    w.skbs = skbs;
    w.urg = urg;
  }
  if (freed) writeSpace(d, log, so.peer);
  if (got.hi === 0) {
    if (so.err) {
      log.because('unix.recv-error', name, so.err);
      const err = so.err;
      d.sockW(id).err = 0;
      return fail(err);
    }
    if (so.shutdown & RCV_SHUTDOWN) {
      log.because('unix.recv-eof', name);
      return EMPTY_READ;
    }
    log.because('unix.recv-empty', name);
    return fail(E.EAGAIN);
  }
  log.because('unix.recv', name, got.lo === got.hi ? got.lo : `${got.lo}-${got.hi}`, freed);
  return bytesRead(unsure ? null : concat(out), got);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const outLen = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(outLen);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** sock_wfree → unix_write_space: freeing the writer's skbs wakes its writers (OUT) if it is writable now. */
function writeSpace(d: Draft, log: StepLog, writer: number): void {
  const w = d.sockOrNull(writer);
  if (w && w.file >= 0 && writable(wmemOf(d, w))) log.wake(w.file, KEY_SPACE);
}

/** drain: reads until EAGAIN or end of file (an OOB byte it meets is dropped). */
export function unixDrain(d: Draft, log: StepLog, id: number, name: string): Outcome {
  let total: Range = exact(0);
  const parts: Uint8Array[] = [];
  let known = true;
  for (;;) {
    const r = unixRecv(d, log, id, name, Number.MAX_SAFE_INTEGER);
    if (r.errno) {
      if (total.hi > 0 || r.errno === E.EAGAIN) break;
      return r;
    }
    const c = r.range ?? exact(r.ret);
    if (c.hi === 0) break;
    total = { lo: total.lo + c.lo, hi: total.hi + c.hi };
    if (r.bytes) parts.push(r.bytes);
    else known = false;
  }
  if (total.hi === 0) return EMPTY_READ;
  return known && total.lo === total.hi
    ? bytesRead(concat(parts), total)
    : { ret: total.lo, errno: 0, bytes: null, ...(total.lo === total.hi ? {} : { range: total }) };
}

/**
 * fill: 1 MiB writes, each skbs of up to 36544 bytes while the writer's queued memory is below
 * its send buffer; the count is exact (no autotuning on unix sockets).
 * Experiment: `unix a b`, `fill a` => 219264 (six skbs), `write a "x"` => EAGAIN, `drain b` =>
 * 219264 (tests/unix.test.ts, fill).
 */
export function unixFill(d: Draft, log: StepLog, id: number, name: string): Outcome {
  const calls = new StepLog(log.names);
  const first = unixSend(d, calls, id, name, 1 << 20, false);
  log.wakes.push(...calls.wakes);
  if (first.errno) {
    log.adopt(calls.why[0]);
    return first.errno === E.EAGAIN ? value(0) : first;
  }
  // The send buffer is full now: the next write gets EAGAIN, which ends the fill.
  log.because('unix.fill', first.ret, Math.ceil(first.ret / SKB_MAX));
  return first;
}

/** unix_shutdown: the bits on this socket and, mirrored, on the peer; both are woken. */
export function unixShutdown(d: Draft, log: StepLog, id: number, how: number, name: string): Outcome {
  if (how < 0 || how > 2) {
    log.because('unix.shutdown-how', how);
    return fail(E.EINVAL);
  }
  const bits = how + 1;
  const so = d.sock(id);
  d.sockW(id).shutdown |= bits;
  if (so.file >= 0) log.wake(so.file, 0);
  const mirrored = (bits & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (bits & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
  const peer = d.sockOrNull(so.peer);
  if (peer) {
    d.sockW(so.peer).shutdown |= mirrored;
    if (peer.file >= 0) log.wake(peer.file, 0);
  }
  const word = (b: number): string => (b === SHUTDOWN_MASK ? 'both' : b & RCV_SHUTDOWN ? 'receive' : 'send');
  log.because('unix.shutdown', name, word(bits), word(mirrored));
  return OK;
}

/**
 * unix_release_sock: the peer is shut both ways (and gets ECONNRESET if this end had unread data)
 * and woken; this end's queue is freed. Unlike TCP, HUP is there at once.
 * Experiment: `write a "x"`, `close b`: a polls IN|OUT|ERR|HUP|RDHUP, `read a` => ECONNRESET,
 * the next `read a` => "" (tests/unix.test.ts, closing with unread data).
 */
export function unixClose(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  d.removeObj(id);
  const peer = d.sockOrNull(so.peer);
  if (!peer) return;
  const reset = nonEmpty(so.rcv);
  log.because('unix.close', log.name(so.creator), reset);
  const p = d.sockW(so.peer);
  p.shutdown = SHUTDOWN_MASK;
  if (reset) p.err = E.ECONNRESET;
  if (peer.file >= 0) {
    log.wake(peer.file, 0);
    // The skbs this end had not read belonged to the peer: freeing them is write space for it.
    if (reset) log.wake(peer.file, KEY_SPACE);
  }
}
