// UNIX stream sockets (unix(7), net/unix/af_unix.c): socketpair() ends. No wire; each write is
// one skb in the peer's receive queue; shutdown is mirrored to the peer (SHUT_RD here is SHUT_WR
// there); closing one end shuts the other both ways and, with unread data, gives it ECONNRESET.
import { EPOLL_FLAGS, errnoName } from '@epl/program';
import { append, Chunks, exact, length, nonEmpty, Range, take, X, xRun } from './bytes';
import { E, EMPTY_READ, fail, OK, Outcome, value, bytesRead, count } from './outcome';
import { Payload, payloadChunk, payloadLength } from './pipe';
import { Draft, FileId, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SockObj } from './state';
import { KEY_DATA, KEY_SPACE, newTcp } from './tcp';
import { defineReasons, StepLog } from './why';

const { IN, PRI, OUT, ERR, HUP, RDNORM, WRNORM, WRBAND, RDHUP } = EPOLL_FLAGS;
/** Bounds on what a fill of a unix socket queues: sk_sndbuf (212992) counts each skb's overhead too. */
export const UNIX_FILL = { lo: 100_000, hi: 300_000 } as const;

defineReasons({
  'unix.pair': ['a b', (o) => `socketpair(AF_UNIX, SOCK_STREAM): ${o.a} and ${o.b} are connected ends; nothing goes on a wire`],
  'unix.send': ['name n', (o) => `${o.name} queues ${o.n} byte(s) at its peer (one skb) and wakes its readers`],
  'unix.send-shutdown': ['name why', (o) => `${o.name} may not send any more (${o.why}): EPIPE`],
  'unix.send-notconn': ['name', (o) => `${o.name} has no peer: ENOTCONN`],
  'unix.send-full': ['name', (o) => `${o.name}'s send buffer is full: EAGAIN`],
  'unix.send-oob-empty': ['name', (o) => `${o.name}: MSG_OOB needs at least one byte: EOPNOTSUPP`],
  'unix.send-oob': ['name n', (o) => `${o.name} sends ${o.n} byte(s) with MSG_OOB: the last one is the out-of-band byte, an skb of its own (EPOLLPRI at the peer)`],
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
  'unix.close': ['name reset', (o) => `${o.name}'s last close: the peer is shut both ways (HUP, RDHUP, EOF, EPIPE)${o.reset ? `, and gets ECONNRESET because ${o.name} had unread data` : ''}`],
  'unix.connect': ['', () => `a UNIX socket can connect only to a named UNIX address: EINVAL`],
  'unix.accept': ['', () => `a UNIX stream socket that is not listening: accept is EINVAL`],
  'unix.fill': ['lo hi', (o) => `fill queues skbs at the peer until the send buffer is full (${o.lo}-${o.hi} bytes, by skb overheads)`],
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
export function unixPoll(so: SockObj): number {
  let m = 0;
  if (so.err) m |= ERR;
  if (so.shutdown === SHUTDOWN_MASK) m |= HUP;
  if (so.shutdown & RCV_SHUTDOWN) m |= RDHUP | IN | RDNORM;
  if (nonEmpty(so.rcv)) m |= IN | RDNORM;
  if (so.urg) m |= PRI;
  if (so.state === 'CLOSE') m |= HUP;
  if (!so.sndFull) m |= OUT | WRNORM | WRBAND;
  return m;
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
  if (so.sndFull) {
    log.because('unix.send-full', name);
    return fail(E.EAGAIN);
  }
  const p = d.sockW(so.peer);
  if (oob) {
    if (n > 1) p.rcv = append(p.rcv, payloadChunk(data, n - 1));
    const last = typeof data === 'number' ? X : data[n - 1];
    // queue_oob: the byte is an skb of its own and becomes the peer's oob_skb (an older one turns into plain data).
    p.urg = { byte: last, at: length(p.rcv).lo };
    p.rcv = append(p.rcv, Uint8Array.of(last));
    log.because('unix.send-oob', name, n);
  } else {
    p.rcv = append(p.rcv, payloadChunk(data, n));
    log.because('unix.send', name, n);
  }
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
    freed = true;
    if (unsure) break;
  }
  if (rcv !== so.rcv || urg !== so.urg) {
    const w = d.sockW(id);
    w.rcv = rcv;
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

/** sock_wfree → unix_write_space: freeing the writer's skbs wakes its writers (OUT) if it is writable. */
function writeSpace(d: Draft, log: StepLog, writer: number): void {
  const w = d.sockOrNull(writer);
  if (!w) return;
  if (w.sndFull) {
    // Skbs of a fill are large: only an empty queue makes the writer writable again.
    const peer = d.sockOrNull(w.peer);
    if (peer && nonEmpty(peer.rcv)) return;
    d.sockW(writer).sndFull = false;
  }
  if (w.file >= 0) log.wake(w.file, KEY_SPACE);
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
  return known && total.lo === total.hi ? bytesRead(concat(parts), total) : { ret: total.lo, errno: 0, bytes: null, ...(total.lo === total.hi ? {} : { range: total }) };
}

/** fill: skbs at the peer until the send buffer (wmem) is full. */
export function unixFill(d: Draft, log: StepLog, id: number, name: string): Outcome {
  const so = d.sock(id);
  const probe = unixSend(d, new StepLog(log.names), id, name, 0, false);
  if (probe.errno) return unixSend(d, log, id, name, 0, false);
  const peer = d.sockOrNull(so.peer);
  if (!peer || peer.file < 0 || peer.shutdown & RCV_SHUTDOWN) return unixSend(d, log, id, name, 1, false);
  if (so.sndFull) {
    log.because('unix.send-full', name);
    return value(0);
  }
  log.because('unix.fill', UNIX_FILL.lo, UNIX_FILL.hi);
  const p = d.sockW(so.peer);
  p.rcv = append(p.rcv, xRun(UNIX_FILL.lo, UNIX_FILL.hi));
  p.bulk = true;
  const w = d.sockW(id);
  w.sndFull = true;
  w.bulk = true;
  log.wake(peer.file, KEY_DATA);
  return count(UNIX_FILL);
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

/** unix_release_sock: the peer is shut both ways (and gets ECONNRESET if this end had unread data) and woken; this end's queue is freed. */
export function unixClose(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  d.removeObj(id);
  const peer = d.sockOrNull(so.peer);
  if (!peer) return;
  const reset = nonEmpty(so.rcv);
  log.because('unix.close', log.name(so.creator), reset);
  const p = d.sockW(so.peer);
  p.shutdown = SHUTDOWN_MASK;
  p.sndFull = false;
  if (reset) p.err = E.ECONNRESET;
  if (peer.file >= 0) {
    log.wake(peer.file, 0);
    // The skbs this end had not read belonged to the peer: freeing them is write space for it.
    if (reset) log.wake(peer.file, KEY_SPACE);
  }
}

