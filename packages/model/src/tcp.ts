// TCP over loopback (tcp(7), socket(7); net/ipv4/tcp.c, tcp_input.c, tcp_output.c, af_inet.c).
// Loopback delivers a segment inside the call that sends it, so every segment is received at
// once and answered at once; the only thing that waits is the delayed-ACK timer (20-200 ms),
// which a run of a scenario never lives to see: a pure ACK it holds "may land in this step or
// later". The model runs the segments: each one is put on the wire (with the rule that sent
// it) and handed to the socket at its destination address, whose state machine answers.
import { EPOLL_FLAGS } from '@epl/program';
import { append, Chunk, Chunks, length, NO_BYTES, nonEmpty, take, X, xRun, Range, exact } from './bytes';
import { E, fail, OK, Outcome, Step, value, bytesRead, count } from './outcome';
import { Payload, payloadChunk, payloadLength } from './pipe';
import { addFile, addObj, FileId, obj, SockObj, State, TcpState, updateObj, withObj, file, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, UrgState } from './state';
import { defineReasons, StepLog } from './why';

const { IN, PRI, OUT, ERR, HUP, RDNORM, RDBAND, WRNORM, WRBAND, RDHUP } = EPOLL_FLAGS;
/** Wake-up keys: sock_def_readable, sk_stream_write_space, sock_def_error_report; 0 wakes all (sock_def_wakeup). */
export const KEY_DATA = IN | PRI | RDNORM | RDBAND;
export const KEY_SPACE = OUT | WRNORM | WRBAND;
export const KEY_ERR = ERR;

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

/** Loopback MSS (65536 MTU less the headers and the timestamp option). */
const MSS = 65483;
/** TCP_MSS_DEFAULT: icsk_ack.rcv_mss before the first segment says otherwise. */
const RCV_MSS_INIT = 536;
/** The initial receive window (unscaled), which sets how many quick ACKs the first data gets. */
const INIT_RCV_WND = 65535;
/** TCP_MAX_QUICKACKS. */
const MAX_QUICKACKS = 16;
/** Writes above this are bulk transfers: how they are cut into segments depends on windows and congestion state. */
export const BULK_WRITE = 16384;
/** listen(16) in the executor: sk_acceptq_is_full() past it. */
const BACKLOG = 16;
/** Unread bytes past which the receive buffer is under half free: the window shrinks and quick ACKs stop (__tcp_select_window). */
const RCVBUF_HALF = 24 * 1024;

const V6 = 1_000_000;
/** A model address: the family and a port number (the model's own). */
export function address(af: 0 | 4 | 6, port: number): number {
  return (af === 6 ? V6 : 0) + port;
}
function afOf(addr: number): 4 | 6 {
  return addr >= V6 ? 6 : 4;
}
function portOf(addr: number): number {
  return addr % V6;
}

defineReasons({
  'tcp.handshake': (o) => `${o.client} connects to ${o.server}: SYN, SYN-ACK, ACK; on loopback the handshake completes inside connect()`,
  'tcp.pair': (o) => `the pair is connected through a hidden listener: ${o.a} connect()ed, ${o.b} accept4()ed, the listener closed`,
  'tcp.connect-inprogress': (o) => `${o.name}: a non-blocking connect() returns EINPROGRESS even though loopback finished the handshake already (tcp(7))`,
  'tcp.connect-refused': (o) => `nothing listens at ${o.target}'s address: the SYN is answered with RST, the socket records ECONNREFUSED (connect() itself said EINPROGRESS)`,
  'tcp.connect-isconn': (o) => `${o.name} is ${o.why}: EISCONN (connect(2))`,
  'tcp.connect-done': (o) => `${o.name} was still marked connecting since its first connect(); now it is established, so connect() returns 0 (__inet_stream_connect)`,
  'tcp.connect-aborted': (o) => `${o.name}'s earlier connection attempt failed: connect() reports ${o.err} and the socket is unconnected again`,
  'tcp.connect-disconnecting': (o) => `${o.name} was shut down while connecting: connect() is EINVAL`,
  'tcp.connect-family': (o) => `${o.target}'s address is ${o.to} and ${o.name} is ${o.from}: ${o.errno}`,
  'tcp.connect-backlog': (o) => `${o.target}'s accept queue is full: the SYN is dropped and ${o.name} stays in SYN_SENT`,
  'tcp.accept': (o) => `${o.name} takes the oldest connection waiting in ${o.listener}'s accept queue (state ${o.state})`,
  'tcp.accept-empty': (o) => `${o.listener}'s accept queue is empty: EAGAIN`,
  'tcp.accept-not-listening': (o) => `${o.listener} is not listening: EINVAL`,
  'tcp.send': (o) => `${o.name} sends ${o.n} byte(s) in one segment`,
  'tcp.send-nagle': (o) => `${o.name}'s ${o.n} byte(s) are queued, not sent: a small segment is still unacknowledged (the peer delays its ACK), so Nagle's rule holds them back (tcp_nagle_check)`,
  'tcp.send-bulk': (o) => `${o.name} sends ${o.n} bytes: how they are cut into segments depends on windows and congestion state`,
  'tcp.send-oob': (o) => `${o.name} sends ${o.n} byte(s) with MSG_OOB: the last one is urgent (URG), which Nagle's rule does not hold back`,
  'tcp.send-shutdown': (o) => `${o.name} has shut down its sending side (SEND_SHUTDOWN): EPIPE`,
  'tcp.send-error': (o) => `${o.name} has a pending error, ${o.err}: the write reports it and clears it`,
  'tcp.send-not-connected': (o) => `${o.name} is ${o.state}: a write gets EPIPE (sk_stream_wait_connect)`,
  'tcp.send-full': (o) => `${o.name}'s send buffer is full: EAGAIN`,
  'tcp.recv': (o) => `${o.name} reads ${o.n} byte(s)`,
  'tcp.recv-zero': (o) => `${o.name}: a read of 0 bytes returns 0 at once (sock_read_iter)`,
  'tcp.recv-listen': (o) => `${o.name} is a listening socket: read is ENOTCONN`,
  'tcp.recv-eof': (o) => `${o.name}: no data, and ${o.why}: end of file (0)`,
  'tcp.recv-error': (o) => `${o.name}: no data and a pending error, ${o.err}: the read reports it and clears it`,
  'tcp.recv-notconn': (o) => `${o.name} was never connected: ENOTCONN`,
  'tcp.recv-empty': (o) => `${o.name}: no data yet: EAGAIN`,
  'tcp.recv-urg-stop': (o) => `${o.name} stops before the urgent byte: it is not read in line (no SO_OOBINLINE)`,
  'tcp.recv-urg-skip': (o) => `${o.name} skips the urgent byte at the head of the stream; its mark is gone (EPOLLPRI clears)`,
  'tcp.ack-now': (o) => `${o.name} ACKs at once: ${o.why}`,
  'tcp.ack-delayed': (o) => `${o.name} delays its ACK (${o.why}): the pure ACK may land in this step or a later one`,
  'tcp.ack-maybe': (o) => `${o.name} may ACK at once or delay it: ${o.why}`,
  'tcp.ack-on-read': (o) => `${o.name} emptied its receive queue of a pushed segment it had not acknowledged: the read sends the ACK (tcp_cleanup_rbuf)`,
  'tcp.pingpong': (o) => `${o.name} sends data shortly after receiving some: it enters pingpong mode and will delay its ACKs, hoping to send them with data`,
  'tcp.nagle-release': (o) => `the ACK lets ${o.name} send what Nagle's rule held back (${o.n} byte(s))`,
  'tcp.fin': (o) => `${o.name} sends FIN (${o.why}); it is now ${o.state}`,
  'tcp.fin-rcvd': (o) => `${o.name} receives FIN: it reads end of file from now on and reports IN|RDHUP; it is now ${o.state}`,
  'tcp.fin-acked': (o) => `${o.name}'s FIN is acknowledged: it is now ${o.state}`,
  'tcp.rst-unread': (o) => `${o.name} is closed with ${o.n} unread byte(s): the data is lost, so close sends RST instead of FIN (tcp_close, RFC 2525)`,
  'tcp.rst-linger': (o) => `${o.name} has SO_LINGER {1, 0}: close aborts the connection with RST (tcp_disconnect)`,
  'tcp.rst-closed-peer': (o) => `data reaches ${o.name}, which is closed for reading (${o.state}): it answers RST and is gone`,
  'tcp.rst-no-socket': (o) => `no socket owns that address any more: the stack answers RST`,
  'tcp.rst-listener-close': (o) => `${o.listener} stops listening with a connection not yet accepted: that connection is reset (inet_csk_listen_stop)`,
  'tcp.reset': (o) => `${o.name} receives RST: error ${o.err}, state CLOSE, both directions shut; every flag fires (ERR, HUP, IN, RDHUP, OUT)`,
  'tcp.shutdown-rd': (o) => `SHUT_RD on TCP is local: ${o.name} marks its receive side shut (IN|RDHUP) and sends nothing`,
  'tcp.shutdown-enotconn': (o) => `${o.name} is not connected: ENOTCONN, but the shutdown bits are set all the same (inet_shutdown)`,
  'tcp.shutdown-listener': (o) => `shutdown with SHUT_RD on a listening socket disconnects it: it stops listening (inet_shutdown)`,
  'tcp.shutdown-listener-wr': (o) => `SHUT_WR alone does nothing to a listening socket`,
  'tcp.shutdown-again': (o) => `${o.name} has already sent its FIN: nothing more to send`,
  'tcp.shutdown-how': (o) => `${o.how} is not SHUT_RD, SHUT_WR or SHUT_RDWR: EINVAL`,
  'tcp.close': (o) => `${o.name}'s socket is closed: ${o.what}`,
  'tcp.close-listener': (o) => `${o.name} stops listening`,
  'tcp.timewait': (o) => `${o.name}'s connection is in ${o.state}: a timewait socket keeps its address`,
  'tcp.linger-wait': (o) => `SO_LINGER {1, ${o.secs}}: close waits for the FIN to be acknowledged, long enough for the peer's delayed ACK to fire`,
  'tcp.linger': (o) => `${o.name}: SO_LINGER {1, ${o.secs}} set`,
  'tcp.fill': (o) => `fill writes until the send buffer is full: how much fits depends on buffer autotuning (${o.lo}-${o.hi} bytes)`,
  'tcp.drain': (o) => `drain reads until EAGAIN; the peer's queued data follows as the window opens`,
  'tcp.delack-fired': (o) => `the sleep outlasts the delayed-ACK timer: ${o.name} sends the ACK it held`,
  'tcp.space': (o) => `${o.name}'s send buffer has room again: writers are woken (OUT)`,
});

function sk(s: State, id: number): SockObj {
  return obj<SockObj>(s, id);
}

function upd(s: State, id: number, patch: Partial<SockObj>): State {
  return updateObj<SockObj>(s, id, patch);
}

function nameOf(log: StepLog, so: SockObj): string {
  return log.name(so.creator);
}

/** A fresh TCP socket (socket(AF_INET|AF_INET6, SOCK_STREAM)): CLOSE, unconnected. */
export function newTcp(af: 4 | 6, creator: number): SockObj {
  return {
    kind: 'sock',
    proto: 'tcp',
    af,
    state: 'CLOSE',
    ss: 'unconnected',
    shutdown: 0,
    err: 0,
    rcv: NO_BYTES,
    peer: -1,
    creator,
    file: -1,
    local: -1,
    remote: -1,
    acceptQueue: [],
    listener: -1,
    linger0: false,
    lingerWait: false,
    urg: null,
    held: NO_BYTES,
    smallOut: false,
    finSent: false,
    finAcked: false,
    owesAck: false,
    pingpong: false,
    quick: -1,
    pushed: 0,
    finRcvd: false,
    nospace: false,
    sndFull: false,
    bulk: false,
    tw: false,
  };
}

// ---------------------------------------------------------------------------------------------
// tcp_poll

/** tcp_poll (net/ipv4/tcp.c). */
export function tcpPoll(so: SockObj): number {
  if (so.state === 'LISTEN') return so.acceptQueue.length ? IN | RDNORM : 0; // inet_csk_listen_poll
  let m = 0;
  if (so.shutdown === SHUTDOWN_MASK || so.state === 'CLOSE') m |= HUP;
  if (so.shutdown & RCV_SHUTDOWN) m |= IN | RDNORM | RDHUP;
  if (so.state !== 'SYN_SENT') {
    // The urgent byte at the head of the stream is not data a read returns: it needs one more.
    const avail = length(so.rcv).hi;
    const target = so.urg && so.urg.valid && so.urg.at === 0 ? 2 : 1;
    if (avail >= target) m |= IN | RDNORM;
    if (!(so.shutdown & SEND_SHUTDOWN)) {
      if (!so.sndFull) m |= OUT | WRNORM;
    } else m |= OUT | WRNORM;
    if (so.urg && so.urg.valid) m |= PRI;
  }
  if (so.err) m |= ERR;
  return m;
}

/** tcp_poll sets SOCK_NOSPACE when it finds the socket not writable. */
export function tcpAfterPoll(s: State, id: number, m: number): State {
  const so = sk(s, id);
  if (so.state === 'LISTEN' || m & OUT || so.nospace) return s;
  return upd(s, id, { nospace: true });
}

// ---------------------------------------------------------------------------------------------
// Addresses, endpoints and the segments

/** The socket a segment to `dst` from `src` reaches: its connection (full or timewait), else a listener on `dst`; -1: none. */
function findSock(s: State, dst: number, src: number): number {
  let listener = -1;
  for (let id = s.objs.length - 1; id >= 0; id--) {
    const o = s.objs[id];
    if (!o || o.kind !== 'sock' || o.proto !== 'tcp' || o.local !== dst) continue;
    if (o.state === 'LISTEN') listener = id;
    else if (o.remote === src && o.state !== 'CLOSE') return id;
  }
  return listener;
}

/** A new ephemeral port for a client socket. */
function ephemeral(s: State, af: 0 | 4 | 6): [State, number] {
  return [{ ...s, ports: s.ports + 1 }, address(af === 6 ? 6 : 4, 40000 + s.ports)];
}

/** A new listening port. */
function listenPort(s: State, af: 4 | 6): [State, number] {
  return [{ ...s, ports: s.ports + 1 }, address(af, 10000 + s.ports)];
}

/** The executor registers a socket's endpoint (creator, local, peer) for attribution. */
export function register(s: State, slot: number, local: number, peer: number): State {
  return { ...s, eps: [...s.eps, { slot, local, peer }] };
}

/** Endpoints.lookup (capture.cc): full 4-tuple, newest first; else a listener entry on the address; else a refused connect (port 0). */
export function attribute(s: State, self: number, other: number): number {
  let listener = -1;
  for (let i = s.eps.length - 1; i >= 0; i--) {
    const e = s.eps[i];
    if (e.local !== self) continue;
    if (e.peer >= 0) {
      if (e.peer === other) return e.slot;
    } else if (listener < 0) listener = e.slot;
  }
  if (listener >= 0) return listener;
  for (let i = s.eps.length - 1; i >= 0; i--) {
    const e = s.eps[i];
    if (portOf(e.local) === 0 && e.peer === other) return e.slot;
  }
  return -1;
}

interface Tx {
  readonly flags: number;
  readonly data: Chunk | null;
  readonly len: number;
  /** The urgent byte: the last byte of this segment's data. */
  readonly urg?: number;
}

function logSeg(log: StepLog, from: number, to: number, tx: Tx, rule: string): void {
  log.send({ from, to, flags: tx.flags, len: tx.len, rule, timing: 'now' });
}

/**
 * Sends a segment from socket `id` to its peer address and delivers it. Every segment but a
 * bare RST carries an ACK of everything received (loopback received it all at once), which
 * pays off an ACK this socket owed (tcp_event_ack_sent).
 */
function xmit(s: State, log: StepLog, id: number, tx: Tx, rule: string): State {
  const so = sk(s, id);
  logSeg(log, so.local, so.remote, tx, rule);
  let cur = s;
  if (tx.flags & ACK) cur = ackSent(cur, id);
  if (tx.len > 0) cur = dataSent(cur, log, id, tx.len);
  if (tx.flags & FIN) cur = upd(cur, id, { finSent: true });
  return deliver(cur, log, so.local, so.remote, tx, id);
}

/** tcp_event_ack_sent: an ACK that was due is paid: one quick ACK fewer, the push flags cleared. */
function ackSent(s: State, id: number): State {
  const so = sk(s, id);
  if (!so.owesAck && so.pushed === 0) return s;
  return upd(s, id, { owesAck: false, pushed: 0, quick: so.owesAck && so.quick > 0 ? so.quick - 1 : so.quick });
}

/** tcp_event_data_sent: data sent soon after data arrived makes the socket pingpong (it expects to answer requests). */
function dataSent(s: State, log: StepLog, id: number, len: number): State {
  const so = sk(s, id);
  const patch: { pingpong?: boolean; smallOut?: boolean } = {};
  if (so.quick >= 0 && !so.pingpong) {
    patch.pingpong = true;
    log.because('tcp.pingpong', { name: nameOf(log, so) });
  }
  if (len < MSS) patch.smallOut = true;
  return Object.keys(patch).length ? upd(s, id, patch) : s;
}

/** A segment reaches the socket at `dst` (tcp_v4_rcv): to a connection, a timewait socket, or nobody (RST back). */
function deliver(s: State, log: StepLog, src: number, dst: number, tx: Tx, sender: number): State {
  const to = findSock(s, dst, src);
  if (to < 0) {
    if (tx.flags & RST) return s;
    // tcp_v4_send_reset: RST with the sequence the segment acknowledged (no ACK), or RST|ACK for a segment without ACK.
    log.because('tcp.rst-no-socket');
    const rst: Tx = { flags: tx.flags & ACK ? RST : RST | ACK, data: null, len: 0 };
    logSeg(log, dst, src, rst, 'tcp.rst-no-socket');
    return sender >= 0 ? receiveRst(s, log, sender) : s;
  }
  return receive(s, log, to, tx, sender);
}

/** What the receiving socket does with a segment (tcp_rcv_established, tcp_rcv_state_process, tcp_timewait_state_process). */
function receive(s: State, log: StepLog, id: number, tx: Tx, sender: number): State {
  const so = sk(s, id);
  if (tx.flags & RST) return receiveRst(s, log, id);
  if (so.state === 'LISTEN') return s;
  if (so.tw) return timewaitReceive(s, log, id, tx, sender);
  let cur = s;
  if (tx.flags & ACK) {
    cur = receiveAck(cur, log, id);
    const after = sk(cur, id);
    // An orphan whose FIN is now acknowledged and which gets new data: tcp_done and RST (tcp_rcv_state_process, TCP_FIN_WAIT1).
    if (after.file < 0 && after.state === 'FIN_WAIT2' && tx.len > 0) {
      log.because('tcp.rst-closed-peer', { name: nameOf(log, so), state: 'closed' });
      return rstBack(done(cur, log, id), log, after, sender);
    }
    if (after.file < 0 && after.state === 'FIN_WAIT2' && !(tx.flags & FIN) && tx.len === 0) return toTimewait(cur, log, id, 'FIN_WAIT2');
    if (after.state === 'CLOSE' || cur.objs[id] === null) return cur;
  }
  const now = sk(cur, id);
  if (tx.len > 0) {
    if (now.shutdown & RCV_SHUTDOWN && (now.state === 'FIN_WAIT1' || now.state === 'FIN_WAIT2')) {
      // RFC 1122: data after the receive side is closed, in FIN_WAIT, resets the connection.
      log.because('tcp.rst-closed-peer', { name: nameOf(log, now), state: now.file < 0 ? 'closed' : 'shut down both ways' });
      const r = resetSelf(cur, log, id);
      return rstBack(r, log, now, sender);
    }
    cur = queueData(cur, log, id, tx);
  }
  if (tx.flags & FIN) cur = receiveFin(cur, log, id);
  if (cur.objs[id] === null) return cur;
  cur = releaseHeld(cur, log, id);
  if (cur.objs[id] === null) return cur;
  if (tx.len > 0 || tx.flags & FIN) cur = ackDecision(cur, log, id, tx.len);
  return cur;
}

/** tcp_v4_send_reset from a socket that just died: RST (no ACK flag: the data segment carried one) to the sender. */
function rstBack(s: State, log: StepLog, was: SockObj, sender: number): State {
  logSeg(log, was.local, was.remote, { flags: RST, data: null, len: 0 }, 'tcp.rst-closed-peer');
  return sender >= 0 && s.objs[sender] ? receiveRst(s, log, sender) : s;
}

/** tcp_ack: everything we sent is acknowledged: no small segment outstanding; our FIN acknowledged moves the state on. */
function receiveAck(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  let cur = so.smallOut ? upd(s, id, { smallOut: false }) : s;
  if (!so.finSent || so.finAcked) return cur;
  cur = upd(cur, id, { finAcked: true });
  switch (so.state) {
    case 'FIN_WAIT1':
      cur = upd(cur, id, { state: 'FIN_WAIT2', shutdown: so.shutdown | SEND_SHUTDOWN });
      log.because('tcp.fin-acked', { name: nameOf(log, so), state: 'FIN_WAIT2' });
      if (so.file >= 0) log.wake(so.file, 0);
      return cur;
    case 'CLOSING':
      log.because('tcp.fin-acked', { name: nameOf(log, so), state: 'TIME_WAIT' });
      return toTimewait(cur, log, id, 'TIME_WAIT');
    case 'LAST_ACK':
      log.because('tcp.fin-acked', { name: nameOf(log, so), state: 'CLOSE' });
      return done(cur, log, id);
    default:
      return cur;
  }
}

/** tcp_done: CLOSE, both directions shut; an orphan is destroyed, a socket with a file wakes its waiters. */
function done(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  if (so.file < 0) return withObj(s, id, null);
  log.wake(so.file, 0);
  return upd(s, id, { state: 'CLOSE', shutdown: SHUTDOWN_MASK, held: NO_BYTES, owesAck: false });
}

/** tcp_time_wait: a timewait socket takes over the address; the socket itself is done. */
function toTimewait(s: State, log: StepLog, id: number, state: TcpState): State {
  const so = sk(s, id);
  log.because('tcp.timewait', { name: nameOf(log, so), state });
  const tw: SockObj = { ...so, file: -1, tw: true, state, owesAck: false, held: NO_BYTES, rcv: NO_BYTES };
  const [s1] = addObj(s, tw);
  return done(s1, log, id);
}

/** A segment for a timewait socket (tcp_timewait_state_process): new data after a half-duplex close is reset; a FIN is acknowledged. */
function timewaitReceive(s: State, log: StepLog, id: number, tx: Tx, sender: number): State {
  const tw = sk(s, id);
  if (tx.len > 0 && tw.state === 'FIN_WAIT2') {
    log.because('tcp.rst-closed-peer', { name: nameOf(log, tw), state: 'closed' });
    return rstBack(withObj(s, id, null), log, tw, sender);
  }
  if (tx.flags & FIN) {
    logSeg(log, tw.local, tw.remote, { flags: ACK, data: null, len: 0 }, 'tcp.ack-now');
    const cur = upd(s, id, { state: 'TIME_WAIT' });
    return sender >= 0 && cur.objs[sender] ? receive(cur, log, sender, { flags: ACK, data: null, len: 0 }, id) : cur;
  }
  return s;
}

/** tcp_reset: the error by state (ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, else ECONNRESET), then tcp_done; the write queue is dropped. */
function receiveRst(s: State, log: StepLog, id: number): State {
  const so = s.objs[id] as SockObj | null;
  if (!so) return s;
  if (so.tw) return withObj(s, id, null);
  if (so.state === 'LISTEN' || so.state === 'CLOSE') return s;
  const err = so.state === 'SYN_SENT' ? E.ECONNREFUSED : so.state === 'CLOSE_WAIT' ? E.EPIPE : E.ECONNRESET;
  return resetWith(s, log, id, err);
}

function resetWith(s: State, log: StepLog, id: number, err: number): State {
  const so = sk(s, id);
  log.because('tcp.reset', { name: nameOf(log, so), err: ERRNO_NAMES[err] ?? String(err) });
  if (so.file < 0) return withObj(s, id, null);
  log.wake(so.file, 0);
  log.wake(so.file, KEY_ERR);
  return upd(s, id, { err, state: 'CLOSE', shutdown: SHUTDOWN_MASK, held: NO_BYTES, owesAck: false, sndFull: false });
}

/** tcp_reset called on a socket by its own input path (data after its receive side closed). */
function resetSelf(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  if (so.file < 0) return withObj(s, id, null);
  return resetWith(s, log, id, E.ECONNRESET);
}

const ERRNO_NAMES: Record<number, string> = {
  [E.ECONNRESET]: 'ECONNRESET',
  [E.EPIPE]: 'EPIPE',
  [E.ECONNREFUSED]: 'ECONNREFUSED',
};

/** tcp_data_queue + tcp_event_data_recv: the bytes join the receive queue; the first data sets up the quick-ACK budget. */
function queueData(s: State, log: StepLog, id: number, tx: Tx): State {
  const so = sk(s, id);
  let rcv = so.rcv;
  let urg = so.urg;
  if (tx.urg !== undefined) {
    // tcp_check_urg: an urgent byte still unread at the head of the stream is skipped; an older mark elsewhere becomes plain data.
    const before = length(so.rcv).lo;
    if (urg && urg.valid && urg.at === 0 && before > 0) {
      rcv = take(rcv, 1).rest;
    }
    const base = length(rcv).lo;
    urg = { byte: tx.urg, at: base + tx.len - 1, valid: true };
  }
  if (tx.data) rcv = append(rcv, tx.data);
  let quick = so.quick;
  let unsure = false;
  if (quick < 0) {
    const rcvMss = Math.max(RCV_MSS_INIT, Math.min(tx.len, MSS));
    quick = Math.min(MAX_QUICKACKS, Math.floor(INIT_RCV_WND / (2 * rcvMss)) || 2);
  } else if (quick === 0 && tx.len >= 128) {
    unsure = true; // tcp_grow_window may grant one more quick ACK
  }
  const pushed = so.pushed >= 1 && tx.len < RCV_MSS_INIT ? 2 : 1;
  if (so.file >= 0) log.wake(so.file, KEY_DATA);
  const bulk = so.bulk || tx.len > BULK_WRITE || length(rcv).hi > RCVBUF_HALF;
  return upd(s, id, { rcv, urg, quick, pushed, bulk: bulk || unsure });
}

/** tcp_fin: the receive side is shut (SOCK_DONE); ESTABLISHED goes to CLOSE_WAIT (pingpong), FIN_WAIT1 to CLOSING, FIN_WAIT2 to TIME_WAIT (both ACK at once). */
function receiveFin(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  const patch: { -readonly [K in keyof SockObj]?: SockObj[K] } = { shutdown: so.shutdown | RCV_SHUTDOWN, finRcvd: true };
  let next: TcpState = so.state;
  let cur = s;
  if (so.state === 'ESTABLISHED') {
    next = 'CLOSE_WAIT';
    patch.pingpong = true;
  } else if (so.state === 'FIN_WAIT1') next = 'CLOSING';
  else if (so.state === 'FIN_WAIT2') next = 'TIME_WAIT';
  patch.state = next === 'TIME_WAIT' ? so.state : next;
  patch.owesAck = true;
  cur = upd(cur, id, patch);
  log.because('tcp.fin-rcvd', { name: nameOf(log, so), state: next });
  if (so.file >= 0) log.wake(so.file, 0);
  if (next === 'CLOSING' || next === 'TIME_WAIT') {
    cur = pureAck(cur, log, id, 'tcp.ack-now', 'a FIN in FIN_WAIT is acknowledged at once');
    if (next === 'TIME_WAIT' && cur.objs[id]) cur = toTimewait(cur, log, id, 'TIME_WAIT');
  }
  return cur;
}

/** A pure ACK now. */
function pureAck(s: State, log: StepLog, id: number, rule: string, why: string): State {
  const so = sk(s, id);
  log.because(rule, { name: nameOf(log, so), why });
  return xmit(s, log, id, { flags: ACK, data: null, len: 0 }, rule);
}

/** __tcp_ack_snd_check: ACK now in quick-ACK mode (quick ACKs left and not pingpong), else on the delayed-ACK timer. */
function ackDecision(s: State, log: StepLog, id: number, len: number): State {
  const so = sk(s, id);
  if (!so.owesAck && len === 0) return s;
  const name = nameOf(log, so);
  if (!so.pingpong && so.quick > 0 && !so.bulk) return pureAck(upd(s, id, { owesAck: true }), log, id, 'tcp.ack-now', 'quick-ACK mode (few segments received so far, not pingpong)');
  if (!so.pingpong && (so.bulk || so.quick > 0)) {
    log.because('tcp.ack-maybe', { name, why: 'buffer autotuning decides whether a quick ACK is left' });
    return upd(s, id, { owesAck: true, bulk: true });
  }
  log.because('tcp.ack-delayed', { name, why: so.pingpong ? 'pingpong mode' : 'no quick ACKs left' });
  return upd(s, id, { owesAck: true });
}

/** tcp_data_snd_check: bytes Nagle held back go once nothing small is outstanding. */
function releaseHeld(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  if (so.smallOut || !nonEmpty(so.held)) return s;
  if (so.state === 'CLOSE' || so.state === 'LISTEN') return s;
  const n = length(so.held).lo;
  log.because('tcp.nagle-release', { name: nameOf(log, so), n });
  const data = joinChunks(so.held);
  return xmit(upd(s, id, { held: NO_BYTES }), log, id, { flags: PSH | ACK, data, len: n }, 'tcp.nagle-release');
}

function joinChunks(q: Chunks): Chunk {
  const all = take(q, length(q).hi);
  return all.bytes ?? xRun(all.count.lo, all.count.hi);
}

// ---------------------------------------------------------------------------------------------
// Creating sockets and connections

/** socket(AF_INET, SOCK_STREAM): CLOSE, unconnected (a bare socket polls as OUT|HUP). */
export function createTcp(s: State, af: 4 | 6, creator: number): [State, number, FileId] {
  const [s1, id] = addObj(s, newTcp(af, creator));
  const [s2, f] = addFile(s1, 'socket', id);
  return [upd(s2, id, { file: f }), id, f];
}

/** listen(): a socket bound to a port the executor picks, listening with a backlog of 16; its endpoint is registered. */
export function makeListener(s: State, slot: number): [State, number, FileId] {
  const [s1, id, f] = createTcp(s, 4, slot);
  const [s2, port] = listenPort(s1, 4);
  const s3 = upd(s2, id, { state: 'LISTEN', local: port });
  return [register(s3, slot, port, -1), id, f];
}

/**
 * The handshake on loopback (tcp_v4_connect, tcp_rcv_synsent_state_process, tcp_check_req):
 * SYN, SYN-ACK from the listener's address, ACK; the new connection waits in the listener's
 * accept queue and wakes it (IN); the client is ESTABLISHED and wakes its waiters.
 */
function handshake(s: State, log: StepLog, client: number, lst: number, clientName: string, listenerName: string): State {
  const c = sk(s, client);
  const l = sk(s, lst);
  const cur0 = upd(s, client, { state: 'SYN_SENT' });
  logSeg(log, c.local, l.local, { flags: SYN, data: null, len: 0 }, 'tcp.handshake');
  if (l.acceptQueue.length > BACKLOG) {
    log.because('tcp.connect-backlog', { name: clientName, target: listenerName });
    return cur0;
  }
  logSeg(log, l.local, c.local, { flags: SYN | ACK, data: null, len: 0 }, 'tcp.handshake');
  logSeg(log, c.local, l.local, { flags: ACK, data: null, len: 0 }, 'tcp.handshake');
  log.because('tcp.handshake', { client: clientName, server: listenerName });
  const child: SockObj = { ...newTcp(l.af === 6 ? 6 : 4, -1), state: 'ESTABLISHED', ss: 'connected', local: l.local, remote: c.local, peer: client, listener: lst };
  const [cur1, childId] = addObj(cur0, child);
  let cur = upd(cur1, client, { state: 'ESTABLISHED', peer: childId, remote: l.local });
  cur = upd(cur, lst, { acceptQueue: [...l.acceptQueue, childId] });
  if (l.file >= 0) log.wake(l.file, KEY_DATA);
  if (c.file >= 0) log.wake(c.file, 0);
  return cur;
}

/** tcp A B (and pair on a TCP family): a hidden listener, connect (EINPROGRESS), accept4, the listener closed. */
export function tcpPair(s: State, log: StepLog, af: 4 | 6, a: number, b: number): [State, FileId, FileId] {
  // The hidden listener takes the lowest free number first; the executor closes it at the end.
  const [s1, lst] = addObj(s, { ...newTcp(af, -1), state: 'LISTEN' });
  const [s2, port] = listenPort(s1, af);
  let cur = upd(s2, lst, { local: port });
  const [s3, aId, aFile] = createTcp(cur, af, a);
  const [s4, aAddr] = ephemeral(s3, af);
  cur = upd(s4, aId, { local: aAddr, ss: 'connecting' });
  const wire = new StepLog(log.names);
  cur = handshake(cur, wire, aId, lst, log.name(a), log.name(b));
  for (const w of wire.wire) log.send(w);
  log.because('tcp.pair', { a: log.name(a), b: log.name(b) });
  const childId = sk(cur, lst).acceptQueue[0];
  const [s5, bFile] = addFile(cur, 'socket', childId);
  cur = upd(s5, childId, { file: bFile, creator: b, listener: -1 });
  cur = withObj(cur, lst, null);
  cur = register(cur, a, aAddr, port);
  cur = register(cur, b, port, aAddr);
  return [cur, aFile, bFile];
}

/** Whether the socket can start a connection (__inet_stream_connect's checks), or what connect() says instead. */
function connectState(s: State, log: StepLog, id: number, name: string): Outcome | null {
  const so = sk(s, id);
  switch (so.ss) {
    case 'connected':
      log.because('tcp.connect-isconn', { name, why: 'connected' });
      return fail(E.EISCONN);
    case 'disconnecting':
      log.because('tcp.connect-disconnecting', { name });
      return fail(E.EINVAL);
    case 'connecting':
      return null;
    case 'unconnected':
      if (so.state !== 'CLOSE') {
        log.because('tcp.connect-isconn', { name, why: so.state === 'LISTEN' ? 'listening' : `in state ${so.state}` });
        return fail(E.EISCONN);
      }
      return null;
  }
}

/** connect() of a TCP socket to a TCP address (the address of `target`, a socket object). */
export function tcpConnect(s: State, log: StepLog, id: number, target: number, name: string, targetName: string, fresh: boolean): Step {
  const so = sk(s, id);
  if (!fresh) {
    const st = connectState(s, log, id, name);
    if (st) return { s, r: st };
    if (so.ss === 'connecting') {
      if (so.state === 'SYN_SENT') return { s, r: fail(E.EALREADY) };
      if (so.state !== 'CLOSE') {
        log.because('tcp.connect-done', { name });
        return { s: upd(s, id, { ss: 'connected' }), r: OK };
      }
      // sock_error: the attempt failed; its error (or ECONNABORTED), and the socket is disconnected.
      const err = so.err || E.ECONNABORTED;
      log.because('tcp.connect-aborted', { name, err: err === E.ECONNABORTED ? 'ECONNABORTED' : (ERRNO_NAMES[err] ?? String(err)) });
      return { s: upd(s, id, { err: 0, ss: 'unconnected', shutdown: 0, finRcvd: false }), r: fail(err) };
    }
  }
  const t = sk(s, target);
  const targetAddr = t.local;
  if (targetAddr < 0 || portOf(targetAddr) === 0 || afOf(targetAddr) !== so.af) {
    if (targetAddr >= 0 && portOf(targetAddr) !== 0 && afOf(targetAddr) !== so.af) {
      const errno = so.af === 4 ? E.EAFNOSUPPORT : E.EINVAL;
      log.because('tcp.connect-family', { name, target: targetName, to: `IPv${afOf(targetAddr)}`, from: `IPv${so.af}`, errno: errno === E.EINVAL ? 'EINVAL' : 'EAFNOSUPPORT' });
      return { s, r: fail(errno) };
    }
  }
  // A new attempt: an ephemeral port, SYN to the target's address.
  const [s1, local] = ephemeral(s, so.af);
  let cur = upd(s1, id, { local, ss: 'connecting', remote: targetAddr, err: 0 });
  const lst = targetAddr >= 0 ? findListener(cur, targetAddr) : -1;
  if (lst >= 0) {
    cur = handshake(cur, log, id, lst, name, targetName);
    log.because('tcp.connect-inprogress', { name });
    return { s: register(cur, sk(cur, id).creator, local, targetAddr), r: fail(E.EINPROGRESS) };
  }
  // Refused at once: the RST is processed before connect() returns; its port is released (getsockname says port 0).
  logSeg(log, local, targetAddr, { flags: SYN, data: null, len: 0 }, 'tcp.connect-refused');
  logSeg(log, targetAddr, local, { flags: RST | ACK, data: null, len: 0 }, 'tcp.connect-refused');
  log.because('tcp.connect-refused', { target: targetName });
  const refused = upd(cur, id, { state: 'SYN_SENT' });
  cur = resetWith(refused, log, id, E.ECONNREFUSED);
  cur = upd(cur, id, { local: address(so.af, 0) });
  return { s: register(cur, sk(cur, id).creator, address(so.af, 0), targetAddr), r: fail(E.EINPROGRESS) };
}

function findListener(s: State, addr: number): number {
  for (let id = s.objs.length - 1; id >= 0; id--) {
    const o = s.objs[id];
    if (o && o.kind === 'sock' && o.proto === 'tcp' && o.state === 'LISTEN' && o.local === addr) return id;
  }
  return -1;
}

/** accept4 on a TCP listener: the oldest child, whatever became of it meanwhile. */
export function tcpAccept(s: State, log: StepLog, lst: number, slot: number, lname: string): [State, Outcome, FileId] {
  const l = sk(s, lst);
  if (l.state !== 'LISTEN') {
    log.because('tcp.accept-not-listening', { listener: lname });
    return [s, fail(E.EINVAL), -1];
  }
  if (!l.acceptQueue.length) {
    log.because('tcp.accept-empty', { listener: lname });
    return [s, fail(E.EAGAIN), -1];
  }
  const child = l.acceptQueue[0];
  let cur = upd(s, lst, { acceptQueue: l.acceptQueue.slice(1) });
  const [s1, f] = addFile(cur, 'socket', child);
  const c = sk(s1, child);
  log.because('tcp.accept', { name: log.name(slot), listener: lname, state: c.state });
  cur = upd(s1, child, { file: f, creator: slot, listener: -1 });
  cur = register(cur, slot, c.local, c.remote);
  return [cur, OK, f];
}

// ---------------------------------------------------------------------------------------------
// Sending

/** tcp_sendmsg: the checks, then the bytes go out in a segment unless Nagle's rule holds them. */
export function tcpSend(s: State, log: StepLog, id: number, name: string, data: Payload, oob: boolean): Step {
  const so = sk(s, id);
  const n = payloadLength(data);
  if (so.state !== 'ESTABLISHED' && so.state !== 'CLOSE_WAIT') {
    if (so.state === 'SYN_SENT') return { s, r: fail(E.EAGAIN) };
    if (so.err) {
      log.because('tcp.send-error', { name, err: ERRNO_NAMES[so.err] ?? String(so.err) });
      return { s: upd(s, id, { err: 0 }), r: fail(so.err) };
    }
    log.because('tcp.send-not-connected', { name, state: so.state === 'LISTEN' ? 'listening' : so.state === 'CLOSE' ? 'closed (not connected)' : `in ${so.state}` });
    return { s, r: fail(E.EPIPE) };
  }
  if (so.err || so.shutdown & SEND_SHUTDOWN) {
    if (so.err) {
      log.because('tcp.send-error', { name, err: ERRNO_NAMES[so.err] ?? String(so.err) });
      return { s: upd(s, id, { err: 0 }), r: fail(so.err) };
    }
    log.because('tcp.send-shutdown', { name });
    return { s, r: fail(E.EPIPE) };
  }
  if (n === 0) return { s, r: value(0) };
  if (so.sndFull) {
    log.because('tcp.send-full', { name });
    return { s: upd(s, id, { nospace: true }), r: fail(E.EAGAIN) };
  }
  const chunk = payloadChunk(data, n);
  if (n > BULK_WRITE || so.bulk) return bulkSend(s, log, id, name, chunk, n, oob);
  if (oob) {
    // Urgent mode: Nagle does not apply; held bytes go with these; the last byte is the urgent one.
    const held = length(so.held).lo;
    const all = joinChunks(append(so.held, chunk));
    const last = typeof data === 'number' ? X : data[n - 1];
    log.because('tcp.send-oob', { name, n });
    const cur = xmit(upd(s, id, { held: NO_BYTES }), log, id, { flags: PSH | ACK | URG, data: all, len: held + n, urg: last }, 'tcp.send-oob');
    return { s: cur, r: value(n) };
  }
  if (so.smallOut || nonEmpty(so.held)) {
    log.because('tcp.send-nagle', { name, n });
    return { s: upd(s, id, { held: append(so.held, chunk) }), r: value(n) };
  }
  log.because('tcp.send', { name, n });
  return { s: xmit(s, log, id, { flags: PSH | ACK, data: chunk, len: n }, 'tcp.send'), r: value(n) };
}

/** A write too big to say how it is segmented: the bytes reach the peer (as the windows allow), the ACKs are not predicted one by one. */
function bulkSend(s: State, log: StepLog, id: number, name: string, chunk: Chunk, n: number, oob: boolean): Step {
  const so = sk(s, id);
  log.because('tcp.send-bulk', { name, n });
  log.send({ from: so.local, to: so.remote, bytes: exact(n + length(so.held).lo), rule: 'tcp.send-bulk' });
  let cur = upd(s, id, { held: NO_BYTES, bulk: true, smallOut: false });
  const peer = so.peer >= 0 ? (cur.objs[so.peer] as SockObj | null) : null;
  if (peer && peer.local === so.remote && !peer.tw && peer.state !== 'CLOSE') {
    if (peer.shutdown & RCV_SHUTDOWN && (peer.state === 'FIN_WAIT1' || peer.state === 'FIN_WAIT2')) {
      log.because('tcp.rst-closed-peer', { name: nameOf(log, peer), state: peer.file < 0 ? 'closed' : 'shut down both ways' });
      return { s: rstBack(resetSelf(cur, log, so.peer), log, peer, id), r: value(n) };
    }
    const data = append(so.held, chunk);
    const urg = oob ? { byte: typeof chunk === 'object' && chunk instanceof Uint8Array ? chunk[chunk.length - 1] : X, at: length(peer.rcv).lo + length(data).lo - 1, valid: true } : peer.urg;
    cur = upd(cur, so.peer, { rcv: [...peer.rcv, ...data], bulk: true, owesAck: true, quick: peer.quick < 0 ? 0 : peer.quick, urg });
    if (peer.file >= 0) log.wake(peer.file, KEY_DATA);
  }
  if (so.quick >= 0 && !so.pingpong) cur = upd(cur, id, { pingpong: true });
  return { s: cur, r: value(n) };
}

/** fill on TCP: writes until the send buffer is full; how much fits is a range (autotuning). */
export function tcpFill(s: State, log: StepLog, id: number, name: string): Step {
  const so = sk(s, id);
  const first = tcpSend(s, new StepLog(log.names), id, name, 0, false);
  if (first.r.errno) {
    const r = tcpSend(s, log, id, name, 1, false);
    return r.r.errno === E.EAGAIN ? { s: r.s, r: value(0) } : r;
  }
  const range: Range = { lo: FILL_LO, hi: FILL_HI };
  log.because('tcp.fill', { lo: FILL_LO, hi: FILL_HI });
  log.send({ from: so.local, to: so.remote, bytes: range, rule: 'tcp.fill' });
  let cur = upd(s, id, { held: NO_BYTES, bulk: true, sndFull: true, nospace: true, smallOut: false });
  const peer = so.peer >= 0 ? (cur.objs[so.peer] as SockObj | null) : null;
  if (peer && peer.local === so.remote && !peer.tw && peer.state !== 'CLOSE') {
    if (peer.shutdown & RCV_SHUTDOWN && (peer.state === 'FIN_WAIT1' || peer.state === 'FIN_WAIT2')) {
      log.because('tcp.rst-closed-peer', { name: nameOf(log, peer), state: 'closed' });
      return { s: rstBack(resetSelf(upd(cur, id, { sndFull: false }), log, so.peer), log, peer, id), r: count(range) };
    }
    cur = upd(cur, so.peer, { rcv: [...peer.rcv, ...so.held, xRun(FILL_LO - length(so.held).lo, FILL_HI)], bulk: true, owesAck: true, quick: peer.quick < 0 ? 0 : peer.quick });
    if (peer.file >= 0) log.wake(peer.file, KEY_DATA);
  }
  return { s: cur, r: count(range) };
}

/** What a fill of a fresh loopback connection took in experiments on 6.18 (send and receive buffers both autotuned), with a margin. */
export const FILL_LO = 1 << 18;
export const FILL_HI = 48 << 20;

// ---------------------------------------------------------------------------------------------
// Receiving

/** tcp_recvmsg: bytes up to the urgent mark; at the mark a read with nothing yet skips the urgent byte; then EOF, the pending error, ENOTCONN or EAGAIN. */
export function tcpRecv(s: State, log: StepLog, id: number, name: string, n: number, drain = false): Step {
  const so = sk(s, id);
  if (n === 0) {
    log.because('tcp.recv-zero', { name });
    return { s, r: value(0) };
  }
  if (so.state === 'LISTEN') {
    log.because('tcp.recv-listen', { name });
    return { s, r: fail(E.ENOTCONN) };
  }
  let rcv = so.rcv;
  let urg: UrgState | null = so.urg;
  const out: Uint8Array[] = [];
  let copied = 0;
  let unsure = false;
  let lo = 0;
  let hi = 0;
  let left = n;
  while (left > 0 && nonEmpty(rcv)) {
    if (urg && urg.valid && urg.at === 0) {
      if (copied > 0) {
        log.because('tcp.recv-urg-stop', { name });
        break;
      }
      log.because('tcp.recv-urg-skip', { name });
      rcv = take(rcv, 1).rest;
      urg = null;
      continue;
    }
    const limit = urg && urg.valid ? Math.min(left, urg.at) : left;
    const t = take(rcv, limit);
    rcv = t.rest;
    if (t.bytes) out.push(t.bytes);
    else unsure = true;
    lo += t.count.lo;
    hi += t.count.hi;
    copied += t.count.lo;
    left -= t.count.hi;
    if (urg) urg = { ...urg, at: urg.at - t.count.lo };
    if (t.count.lo === 0) break;
  }
  if (hi === 0) {
    if (so.finRcvd) {
      log.because('tcp.recv-eof', { name, why: 'the peer sent FIN' });
      return { s: upd(s, id, { rcv, urg }), r: bytesRead(new Uint8Array(0), exact(0)) };
    }
    if (so.err) {
      log.because('tcp.recv-error', { name, err: ERRNO_NAMES[so.err] ?? String(so.err) });
      return { s: upd(s, id, { err: 0, rcv, urg }), r: fail(so.err) };
    }
    if (so.shutdown & RCV_SHUTDOWN) {
      log.because('tcp.recv-eof', { name, why: 'its receive side is shut' });
      return { s: upd(s, id, { rcv, urg }), r: bytesRead(new Uint8Array(0), exact(0)) };
    }
    if (so.state === 'CLOSE') {
      log.because('tcp.recv-notconn', { name });
      return { s: upd(s, id, { rcv, urg }), r: fail(E.ENOTCONN) };
    }
    log.because('tcp.recv-empty', { name });
    return { s: upd(s, id, { rcv, urg }), r: fail(E.EAGAIN) };
  }
  log.because('tcp.recv', { name, n: lo === hi ? lo : `${lo}-${hi}` });
  let cur = upd(s, id, { rcv, urg });
  cur = cleanupRbuf(cur, log, id, drain);
  const bytes = unsure ? null : concat(out);
  return { s: cur, r: bytesRead(bytes, { lo, hi }) };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** tcp_cleanup_rbuf: a read that empties the queue ACKs a pushed segment it owed an ACK for (two, or one when not pingpong). */
function cleanupRbuf(s: State, log: StepLog, id: number, drain: boolean): State {
  const so = sk(s, id);
  if (so.bulk) {
    // The window reopens: the peer's queued bytes follow (drain reads them as they come), and writers there get room.
    return bulkRead(s, log, id, drain);
  }
  if (!so.owesAck || nonEmpty(so.rcv)) return s;
  if (so.pushed >= 2 || (so.pushed === 1 && !so.pingpong)) {
    log.because('tcp.ack-on-read', { name: nameOf(log, so) });
    return xmit(s, log, id, { flags: ACK, data: null, len: 0 }, 'tcp.ack-on-read');
  }
  return s;
}

/** A read on a connection in bulk mode: ACKs and window updates are not predicted one by one; a drain leaves the peer's send buffer empty. */
function bulkRead(s: State, log: StepLog, id: number, drain: boolean): State {
  const so = sk(s, id);
  log.send({ from: so.local, to: so.remote, bytes: exact(0), rule: 'tcp.drain' });
  if (!drain) return s;
  let cur = upd(s, id, { owesAck: false });
  const peer = so.peer >= 0 ? (cur.objs[so.peer] as SockObj | null) : null;
  if (peer && peer.sndFull) {
    cur = upd(cur, so.peer, { sndFull: false, nospace: false });
    log.because('tcp.space', { name: nameOf(log, peer) });
    if (peer.file >= 0 && peer.nospace) log.wake(peer.file, KEY_SPACE);
  }
  return cur;
}

/** drain on TCP: reads until EAGAIN or EOF; with a full peer, everything it queued comes through (a range). */
export function tcpDrain(s: State, log: StepLog, id: number, name: string): Step {
  const so = sk(s, id);
  const first = tcpRecv(s, log, id, name, 1 << 20, true);
  if (first.r.errno) {
    if (first.r.errno === E.EAGAIN) return { s: first.s, r: bytesRead(new Uint8Array(0), exact(0)) };
    return first;
  }
  log.because('tcp.drain');
  const got: Range = first.r.range ?? exact(first.r.ret);
  const bytes = first.r.bytes ?? null;
  const rest = sk(first.s, id);
  // A drain keeps the first 64 KiB; the count is what matters.
  if (rest.bulk || so.bulk) return { s: first.s, r: { ret: got.lo, errno: 0, bytes: null, ...(got.lo === got.hi ? {} : { range: got }) } };
  return { s: first.s, r: bytesRead(bytes, got) };
}

// ---------------------------------------------------------------------------------------------
// shutdown, close, linger

/** inet_shutdown + tcp_shutdown. */
export function tcpShutdown(s: State, log: StepLog, id: number, how: number, name: string, f: FileId): Step {
  const bits = how + 1;
  if (bits & ~SHUTDOWN_MASK || bits === 0) {
    log.because('tcp.shutdown-how', { how });
    return { s, r: fail(E.EINVAL) };
  }
  const so = sk(s, id);
  let cur = s;
  let r: Outcome = OK;
  if (so.ss === 'connecting') cur = upd(cur, id, { ss: so.state === 'SYN_SENT' || so.state === 'CLOSE' ? 'disconnecting' : 'connected' });
  switch (so.state) {
    case 'LISTEN':
      if (bits & RCV_SHUTDOWN) {
        log.because('tcp.shutdown-listener');
        cur = listenStop(cur, log, id);
        cur = upd(cur, id, { state: 'CLOSE', shutdown: 0, local: so.local });
      } else log.because('tcp.shutdown-listener-wr');
      break;
    case 'CLOSE':
      log.because('tcp.shutdown-enotconn', { name });
      cur = upd(cur, id, { shutdown: so.shutdown | bits });
      r = fail(E.ENOTCONN);
      break;
    default: {
      cur = upd(cur, id, { shutdown: so.shutdown | bits });
      if (bits === RCV_SHUTDOWN) log.because('tcp.shutdown-rd', { name });
      if (bits & SEND_SHUTDOWN) {
        if (so.state === 'ESTABLISHED' || so.state === 'CLOSE_WAIT') cur = sendFin(cur, log, id, 'shutdown(SHUT_WR)');
        else log.because('tcp.shutdown-again', { name });
      }
    }
  }
  log.wake(f, 0);
  return { s: cur, r };
}

/** tcp_close_state + tcp_send_fin: ESTABLISHED → FIN_WAIT1, CLOSE_WAIT → LAST_ACK; bytes Nagle held go with the FIN (FP.). */
function sendFin(s: State, log: StepLog, id: number, why: string): State {
  const so = sk(s, id);
  const next: TcpState = so.state === 'CLOSE_WAIT' ? 'LAST_ACK' : 'FIN_WAIT1';
  const heldLen = length(so.held).lo;
  log.because('tcp.fin', { name: nameOf(log, so), why, state: next });
  const cur = upd(s, id, { state: next, held: NO_BYTES });
  const tx: Tx = heldLen ? { flags: FIN | PSH | ACK, data: joinChunks(so.held), len: heldLen } : { flags: FIN | ACK, data: null, len: 0 };
  return xmit(cur, log, id, tx, 'tcp.fin');
}

/** inet_csk_listen_stop: connections not yet accepted are reset (tcp_disconnect sends RST|ACK). */
function listenStop(s: State, log: StepLog, id: number): State {
  const l = sk(s, id);
  let cur = upd(s, id, { acceptQueue: [] });
  for (const c of l.acceptQueue) {
    const child = cur.objs[c] as SockObj | null;
    if (!child) continue;
    if (child.state === 'ESTABLISHED' || child.state === 'CLOSE_WAIT' || child.state === 'FIN_WAIT1' || child.state === 'FIN_WAIT2') {
      log.because('tcp.rst-listener-close', { listener: log.name(l.creator) });
      logSeg(log, child.local, child.remote, { flags: RST | ACK, data: null, len: 0 }, 'tcp.rst-listener-close');
      cur = withObj(cur, c, null);
      cur = receiveRst(cur, log, child.peer);
    } else cur = withObj(cur, c, null);
  }
  return cur;
}

/** tcp_close: unread data → RST; SO_LINGER {1, 0} → RST; else FIN if the state calls for one; the socket lives on as an orphan until its connection ends. */
export function tcpClose(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  const name = nameOf(log, so);
  let cur = upd(s, id, { shutdown: SHUTDOWN_MASK, file: -1 });
  if (so.state === 'LISTEN') {
    log.because('tcp.close-listener', { name });
    cur = listenStop(cur, log, id);
    return withObj(cur, id, null);
  }
  const unread = length(so.rcv).lo;
  cur = upd(cur, id, { rcv: NO_BYTES, urg: null });
  if (so.state === 'CLOSE') {
    log.because('tcp.close', { name, what: 'it was already closed by the connection (RST or both FINs): nothing to send' });
    return withObj(cur, id, null);
  }
  if (unread > 0) {
    log.because('tcp.rst-unread', { name, n: unread });
    logSeg(log, so.local, so.remote, { flags: RST | ACK, data: null, len: 0 }, 'tcp.rst-unread');
    cur = withObj(cur, id, null);
    return so.peer >= 0 && cur.objs[so.peer] ? receiveRst(cur, log, so.peer) : cur;
  }
  if (so.linger0) {
    const needReset = so.state === 'ESTABLISHED' || so.state === 'CLOSE_WAIT' || so.state === 'FIN_WAIT1' || so.state === 'FIN_WAIT2';
    log.because('tcp.rst-linger', { name });
    if (needReset) {
      logSeg(log, so.local, so.remote, { flags: RST | ACK, data: null, len: 0 }, 'tcp.rst-linger');
      cur = withObj(cur, id, null);
      return so.peer >= 0 && cur.objs[so.peer] ? receiveRst(cur, log, so.peer) : cur;
    }
    return withObj(cur, id, null);
  }
  if (so.state === 'ESTABLISHED' || so.state === 'CLOSE_WAIT') cur = sendFin(cur, log, id, 'the last close of its socket');
  else log.because('tcp.close', { name, what: `in ${so.state}, its FIN is already out: nothing new on the wire` });
  if (!cur.objs[id]) return cur;
  if (so.lingerWait) cur = lingerWait(cur, log, id);
  if (!cur.objs[id]) return cur;
  const after = sk(cur, id);
  if (after.state === 'FIN_WAIT2') return toTimewait(cur, log, id, 'FIN_WAIT2');
  if (after.state === 'CLOSE') return withObj(cur, id, null);
  return cur;
}

/** sk_stream_wait_close: with SO_LINGER {1, S>0} close waits while the FIN is unacknowledged: the peer's delayed ACK fires meanwhile. */
function lingerWait(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  if (!(so.state === 'FIN_WAIT1' || so.state === 'CLOSING' || so.state === 'LAST_ACK')) return s;
  const peer = so.peer >= 0 ? (s.objs[so.peer] as SockObj | null) : null;
  if (!peer || !peer.owesAck) return s;
  log.because('tcp.linger-wait', { secs: 'S' });
  return fireDelayedAck(s, log, so.peer);
}

/** The delayed-ACK timer fires: the pure ACK goes; in pingpong mode the socket leaves it (tcp_delack_timer_handler). */
export function fireDelayedAck(s: State, log: StepLog, id: number): State {
  const so = sk(s, id);
  log.because('tcp.delack-fired', { name: nameOf(log, so) });
  const cur = upd(s, id, { pingpong: false });
  return xmit(cur, log, id, { flags: ACK, data: null, len: 0 }, 'tcp.delack-fired');
}

/** setsockopt(SO_LINGER, {1, S}). */
export function tcpLinger(s: State, log: StepLog, id: number, secs: number, name: string): Step {
  log.because('tcp.linger', { name, secs });
  return { s: upd(s, id, { linger0: secs === 0, lingerWait: secs > 0 }), r: OK };
}

/** The pure ACKs held by delayed-ACK timers now (from address, to address). */
export function owedAcks(s: State): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (const o of s.objs) if (o && o.kind === 'sock' && o.proto === 'tcp' && o.owesAck && o.state !== 'CLOSE') out.push({ from: o.local, to: o.remote });
  return out;
}

/** A sleep long enough for every delayed-ACK timer (200 ms at most) sends those ACKs. */
export function tcpSleep(s: State, log: StepLog, ms: number): State {
  if (ms < 200) return s;
  let cur = s;
  for (let id = 0; id < cur.objs.length; id++) {
    const o = cur.objs[id];
    if (o && o.kind === 'sock' && o.proto === 'tcp' && o.owesAck && o.state !== 'CLOSE') cur = fireDelayedAck(cur, log, id);
  }
  return cur;
}

export { afOf };
export type { Tx };
