// UNIX stream sockets (unix(7), net/unix/af_unix.c): socketpair() ends. No wire; each write is
// one skb in the peer's receive queue; shutdown is mirrored to the peer (SHUT_RD here is SHUT_WR
// there); closing one end shuts the other both ways and, with unread data, gives it ECONNRESET.
import { EPOLL_FLAGS } from '@epl/program';
import { append, Chunks, length, NO_BYTES, nonEmpty, take, xRun, exact, Range } from './bytes';
import { E, fail, OK, Step, value, bytesRead, count } from './outcome';
import { Payload, payloadChunk, payloadLength } from './pipe';
import { addFile, addObj, FileId, obj, SockObj, State, updateObj, withObj, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK } from './state';
import { KEY_DATA, KEY_SPACE, newTcp } from './tcp';
import { defineReasons, StepLog } from './why';

const { IN, PRI, OUT, ERR, HUP, RDNORM, WRNORM, WRBAND, RDHUP } = EPOLL_FLAGS;

defineReasons({
  'unix.pair': (o) => `socketpair(AF_UNIX, SOCK_STREAM): ${o.a} and ${o.b} are connected ends; nothing goes on a wire`,
  'unix.send': (o) => `${o.name} queues ${o.n} byte(s) at its peer (one skb) and wakes its readers`,
  'unix.send-shutdown': (o) => `${o.name} may not send any more (${o.why}): EPIPE`,
  'unix.send-notconn': (o) => `${o.name} has no peer: ENOTCONN`,
  'unix.send-full': (o) => `${o.name}'s send buffer is full: EAGAIN`,
  'unix.send-oob-empty': (o) => `${o.name}: MSG_OOB needs at least one byte: EOPNOTSUPP`,
  'unix.send-oob': (o) => `${o.name} sends ${o.n} byte(s) with MSG_OOB: the last one is the out-of-band byte (EPOLLPRI at the peer)`,
  'unix.recv': (o) => `${o.name} reads ${o.n} byte(s)${o.freed ? '; the skbs it empties are freed, which wakes the writer (OUT)' : ''}`,
  'unix.recv-zero': (o) => `${o.name}: a read of 0 bytes returns 0 at once (sock_read_iter)`,
  'unix.recv-notconn': (o) => `${o.name} is not connected: EINVAL (unix_stream_read_generic)`,
  'unix.recv-error': (o) => `${o.name}: no data and a pending error (${o.err}): the read reports it and clears it`,
  'unix.recv-eof': (o) => `${o.name}: no data and its receive side is shut: end of file (0)`,
  'unix.recv-empty': (o) => `${o.name}: no data: EAGAIN`,
  'unix.recv-oob-stop': (o) => `${o.name} stops before the out-of-band byte`,
  'unix.recv-oob-skip': (o) => `${o.name} finds the out-of-band byte first and drops it (no SO_OOBINLINE)`,
  'unix.shutdown': (o) => `${o.name} shuts ${o.mine}; unix_shutdown mirrors it to the peer, whose ${o.theirs} side is shut too`,
  'unix.shutdown-how': (o) => `${o.how} is not SHUT_RD, SHUT_WR or SHUT_RDWR: EINVAL`,
  'unix.close': (o) => `${o.name}'s last close: the peer is shut both ways (HUP, RDHUP, EOF, EPIPE)${o.reset ? `, and gets ECONNRESET because ${o.name} had unread data` : ''}`,
  'unix.connect': () => `a UNIX socket can connect only to a UNIX address with a name: EINVAL`,
  'unix.accept': () => `a socketpair end is not listening: EINVAL`,
  'unix.fill': (o) => `fill queues skbs at the peer until the send buffer is full (${o.lo}-${o.hi} bytes, by skb overheads)`,
  'unix.linger': (o) => `${o.name}: SO_LINGER is accepted and means nothing for a UNIX socket`,
});

function sk(s: State, id: number): SockObj {
  return obj<SockObj>(s, id);
}

function upd(s: State, id: number, patch: Partial<SockObj>): State {
  return updateObj<SockObj>(s, id, patch);
}

function newUnix(creator: number, state: 'ESTABLISHED' | 'CLOSE'): SockObj {
  return { ...newTcp(4, creator), proto: 'unix', af: 0, state, ss: state === 'ESTABLISHED' ? 'connected' : 'unconnected' };
}

/** socketpair(AF_UNIX, SOCK_STREAM). */
export function unixPair(s: State, a: number, b: number): [State, FileId, FileId] {
  const [s1, ia] = addObj(s, newUnix(a, 'ESTABLISHED'));
  const [s2, ib] = addObj(s1, newUnix(b, 'ESTABLISHED'));
  const [s3, fa] = addFile(s2, 'socket', ia);
  const [s4, fb] = addFile(s3, 'socket', ib);
  let cur = upd(s4, ia, { peer: ib, file: fa });
  cur = upd(cur, ib, { peer: ia, file: fb });
  return [cur, fa, fb];
}

/** socket(AF_UNIX, SOCK_STREAM) that never connected (connect_new to a UNIX address fails). */
export function unixLone(s: State, creator: number): [State, number, FileId] {
  const [s1, id] = addObj(s, newUnix(creator, 'CLOSE'));
  const [s2, f] = addFile(s1, 'socket', id);
  return [upd(s2, id, { file: f }), id, f];
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

/** unix_stream_sendmsg: SEND_SHUTDOWN or a dead peer / a peer whose receive side is shut → EPIPE; each write is one skb at the peer, which is woken (IN). */
export function unixSend(s: State, log: StepLog, id: number, name: string, data: Payload, oob: boolean): Step {
  const so = sk(s, id);
  let n = payloadLength(data);
  if (oob && n === 0) {
    log.because('unix.send-oob-empty', { name });
    return { s, r: fail(E.EOPNOTSUPP) };
  }
  if (so.peer < 0) {
    log.because('unix.send-notconn', { name });
    return { s, r: fail(E.ENOTCONN) };
  }
  if (so.shutdown & SEND_SHUTDOWN) {
    log.because('unix.send-shutdown', { name, why: 'its send side is shut' });
    return { s, r: fail(E.EPIPE) };
  }
  const peer = s.objs[so.peer] as SockObj | null;
  if (n === 0) return { s, r: value(0) };
  if (!peer || peer.file < 0 || peer.shutdown & RCV_SHUTDOWN) {
    log.because('unix.send-shutdown', { name, why: 'the peer is closed or its receive side is shut' });
    return { s, r: fail(E.EPIPE) };
  }
  if (so.sndFull) {
    log.because('unix.send-full', { name });
    return { s, r: fail(E.EAGAIN) };
  }
  let rcv = peer.rcv;
  let urg = peer.urg;
  if (oob) {
    n -= 1;
    if (n > 0) rcv = append(rcv, payloadChunk(data, n));
    const last = typeof data === 'number' ? 0x78 : data[data.length - 1];
    // queue_oob: the byte is an skb of its own and the peer's oob_skb (an older one becomes plain data).
    urg = { byte: last, at: length(rcv).lo, valid: true };
    rcv = append(rcv, Uint8Array.of(last));
    log.because('unix.send-oob', { name, n: n + 1 });
    n += 1;
  } else {
    rcv = append(rcv, payloadChunk(data, n));
    log.because('unix.send', { name, n });
  }
  const cur = upd(s, so.peer, { rcv, urg });
  log.wake(peer.file, KEY_DATA);
  return { s: cur, r: value(n) };
}

/** unix_stream_read_generic: across skbs up to n bytes; an OOB byte at the head is dropped (with nothing read yet) or ends the read. */
export function unixRecv(s: State, log: StepLog, id: number, name: string, n: number): Step {
  const so = sk(s, id);
  if (n === 0) {
    log.because('unix.recv-zero', { name });
    return { s, r: value(0) };
  }
  if (so.state !== 'ESTABLISHED') {
    log.because('unix.recv-notconn', { name });
    return { s, r: fail(E.EINVAL) };
  }
  let rcv: Chunks = so.rcv;
  let urg = so.urg;
  const out: number[] = [];
  let freed = false;
  let unsure = false;
  let got: Range = exact(0);
  let left = n;
  while (left > 0 && rcv.length) {
    if (urg && urg.at === 0) {
      if (out.length > 0 || got.hi > 0) {
        log.because('unix.recv-oob-stop', { name });
        break;
      }
      log.because('unix.recv-oob-skip', { name });
      rcv = rcv.slice(1);
      urg = null;
      freed = true;
      continue;
    }
    const head = rcv[0];
    const t = take([head], urg ? Math.min(left, urg.at) : left);
    if (!t.bytes) unsure = true;
    else for (const b of t.bytes) out.push(b);
    got = { lo: got.lo + t.count.lo, hi: got.hi + t.count.hi };
    left -= t.count.hi;
    if (urg) urg = { ...urg, at: urg.at - t.count.lo };
    if (t.rest.length) {
      rcv = [...t.rest, ...rcv.slice(1)];
      if (!unsure) break;
    } else {
      rcv = rcv.slice(1);
      freed = true;
    }
    if (unsure) break;
  }
  let cur = upd(s, id, { rcv, urg });
  if (freed) cur = writeSpace(cur, log, so.peer);
  if (got.hi === 0) {
    if (so.err) {
      log.because('unix.recv-error', { name, err: so.err === E.ECONNRESET ? 'ECONNRESET' : String(so.err) });
      return { s: upd(cur, id, { err: 0 }), r: fail(so.err) };
    }
    if (so.shutdown & RCV_SHUTDOWN) {
      log.because('unix.recv-eof', { name });
      return { s: cur, r: bytesRead(new Uint8Array(0), exact(0)) };
    }
    log.because('unix.recv-empty', { name });
    return { s: cur, r: fail(E.EAGAIN) };
  }
  log.because('unix.recv', { name, n: got.lo === got.hi ? got.lo : `${got.lo}-${got.hi}`, freed });
  return { s: cur, r: bytesRead(unsure ? null : Uint8Array.from(out), got) };
}

/** sock_wfree → unix_write_space: freeing the writer's skbs wakes its writers (OUT) if it is writable. */
function writeSpace(s: State, log: StepLog, writer: number): State {
  const w = writer >= 0 ? (s.objs[writer] as SockObj | null) : null;
  if (!w) return s;
  let cur = s;
  if (w.sndFull && !nonEmpty(sk(s, w.peer).rcv)) cur = upd(cur, writer, { sndFull: false });
  if (w.file >= 0 && !sk(cur, writer).sndFull) log.wake(w.file, KEY_SPACE);
  return cur;
}

/** drain: reads until EAGAIN (or EOF). */
export function unixDrain(s: State, log: StepLog, id: number, name: string): Step {
  const r = unixRecv(s, log, id, name, 1 << 30);
  if (r.r.errno === E.EAGAIN) return { s: r.s, r: bytesRead(new Uint8Array(0), exact(0)) };
  if (r.r.errno) return r;
  // A second read finds nothing (or the OOB byte, which it drops: a third finds nothing).
  const again = unixRecv(r.s, new StepLog(log.names), id, name, 1 << 30);
  const more = again.r.errno ? exact(0) : (again.r.range ?? exact(again.r.ret));
  const first = r.r.range ?? exact(r.r.ret);
  const total = { lo: first.lo + more.lo, hi: first.hi + more.hi };
  const s2 = again.r.errno ? r.s : again.s;
  if (total.lo !== total.hi || !r.r.bytes) return { s: s2, r: { ret: total.lo, errno: 0, bytes: null, ...(total.lo === total.hi ? {} : { range: total }) } };
  if (more.hi === 0) return { s: s2, r: r.r };
  const b = new Uint8Array(total.lo);
  b.set(r.r.bytes);
  if (again.r.bytes) b.set(again.r.bytes, r.r.bytes.length);
  return { s: s2, r: bytesRead(b, total) };
}

/** Bounds on what a fill of a unix socket queues (the send buffer, 212992 bytes, counts skb overheads). */
export const UNIX_FILL_LO = 100_000;
export const UNIX_FILL_HI = 300_000;

/** fill: skbs at the peer until the send buffer (wmem) is full. */
export function unixFill(s: State, log: StepLog, id: number, name: string): Step {
  const so = sk(s, id);
  const probe = unixSend(s, new StepLog(log.names), id, name, 1, false);
  if (probe.r.errno) {
    const r = unixSend(s, log, id, name, 1, false);
    return r.r.errno === E.EAGAIN ? { s, r: value(0) } : r;
  }
  const peer = sk(s, so.peer);
  log.because('unix.fill', { lo: UNIX_FILL_LO, hi: UNIX_FILL_HI });
  let cur = upd(s, so.peer, { rcv: append(peer.rcv, xRun(UNIX_FILL_LO, UNIX_FILL_HI)), bulk: true });
  cur = upd(cur, id, { sndFull: true, bulk: true });
  log.wake(peer.file, KEY_DATA);
  return { s: cur, r: count({ lo: UNIX_FILL_LO, hi: UNIX_FILL_HI }) };
}

/** unix_shutdown: the bits on this socket and, mirrored, on the peer; both are woken. */
export function unixShutdown(s: State, log: StepLog, id: number, how: number, name: string): Step {
  if (how < 0 || how > 2) {
    log.because('unix.shutdown-how', { how });
    return { s, r: fail(E.EINVAL) };
  }
  const bits = how + 1;
  const so = sk(s, id);
  let cur = upd(s, id, { shutdown: so.shutdown | bits });
  if (so.file >= 0) log.wake(so.file, 0);
  const peer = so.peer >= 0 ? (s.objs[so.peer] as SockObj | null) : null;
  const mirrored = (bits & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (bits & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
  if (peer) {
    cur = upd(cur, so.peer, { shutdown: peer.shutdown | mirrored });
    if (peer.file >= 0) log.wake(peer.file, 0);
  }
  const word = (b: number): string => (b === SHUTDOWN_MASK ? 'both' : b & RCV_SHUTDOWN ? 'receive' : 'send');
  log.because('unix.shutdown', { name, mine: `its ${word(bits)} side`, theirs: word(mirrored) });
  return { s: cur, r: OK };
}

/** unix_release_sock: the peer is shut both ways (and gets ECONNRESET if this end had unread data) and woken; this end's queue is freed. */
export function unixClose(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  const name = log.name(so.creator);
  let cur = withObj(s, id, null);
  const peer = so.peer >= 0 ? (s.objs[so.peer] as SockObj | null) : null;
  if (peer) {
    const reset = nonEmpty(so.rcv);
    log.because('unix.close', { name, reset });
    cur = upd(cur, so.peer, { shutdown: SHUTDOWN_MASK, ...(reset ? { err: E.ECONNRESET } : {}), sndFull: false });
    if (peer.file >= 0) {
      log.wake(peer.file, 0);
      if (reset) log.wake(peer.file, KEY_SPACE);
    }
  }
  return cur;
}

export { NO_BYTES };
