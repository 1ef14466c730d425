// TCP over loopback (tcp(7), socket(7); net/ipv4/tcp.c, tcp_input.c, tcp_output.c, af_inet.c).
// Loopback delivers a segment inside the call that sends it, so every segment is received and
// answered at once; what waits is the delayed-ACK timer (40-200 ms), which a scenario run does
// not live to see: a pure ACK it holds "may land in this step or a later one". The model runs
// the segments: each one goes on the wire (with the rule that sent it) and to the socket at its
// destination address, whose state machine answers.
import { EPOLL_FLAGS, errnoName } from '@epl/program';
import { append, Chunk, Chunks, exact, length, NO_BYTES, nonEmpty, Range, take, X, xRun } from './bytes';
import { E, EMPTY_READ, either, fail, OK, Outcome, value, bytesRead, count } from './outcome';
import { Payload, payloadChunk, payloadLength } from './pipe';
import { Draft, FileId, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SockObj, State, TcpState } from './state';
import { defineReasons, StepLog } from './why';

const { IN, PRI, OUT, ERR, HUP, RDNORM, RDBAND, WRNORM, WRBAND, RDHUP } = EPOLL_FLAGS;
/** Wake-up keys: sock_def_readable, sk_stream_write_space, sock_def_error_report; 0 (sock_def_wakeup) wakes every waiter. */
export const KEY_DATA = IN | PRI | RDNORM | RDBAND;
export const KEY_SPACE = OUT | WRNORM | WRBAND;
const KEY_ERR = ERR;

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
/** The initial receive window, which sets how many quick ACKs the first data gets (tcp_incr_quickack). */
const INIT_RCV_WND = 65535;
/** TCP_MAX_QUICKACKS. */
const MAX_QUICKACKS = 16;
/**
 * The windows a loopback peer advertises before autotuning: its SYN-ACK offers 65483 (the
 * initial window, rounded down to the MSS), every later segment 65536. A bulk write is cut
 * into segments of half the largest of them (tcp_bound_to_half_wnd), not of the MSS.
 * Experiment: `tcp 5 6`, `write 5 65536` ~> `5 > 6 . len 32741, 6 > 5 ., 5 > 6 P. len 32741,
 * 5 > 6 P. len 54` (5 knows only the SYN-ACK's window), but `write 6 65536` ~> `6 > 5 . len
 * 32768, 5 > 6 ., 6 > 5 P. len 32768`; after the second, `write 6 1` goes at once (its last
 * segment was full-sized), after the first `write 5 1` waits (Nagle: 54 bytes outstanding).
 */
const SYNACK_WND = 65483;
const WND = 65536;
/** Writes above this are bulk transfers: how they are cut into segments depends on windows and congestion state. */
const BULK_WRITE = 16384;
/** listen(16) in the executor: sk_acceptq_is_full() past it. */
const BACKLOG = 16;
/** Unread bytes past which the receive buffer is under half free (a 131072-byte rcvbuf gives a ~64 KiB window): quick ACKs stop (__tcp_select_window). */
const RCVBUF_HALF = 32 * 1024;
/** What a fill of a loopback connection took in experiments on 6.18 (`tcp 5 6`, `fill 5`: 3.85-4.98 MB; send and receive buffers autotune), with a wide margin. */
export const FILL = { lo: 1 << 20, hi: 32 << 20 } as const;
/** The part of it that reaches the peer's receive queue (~128 KiB, its window); the rest waits in the sender's queue. */
const FILL_PEER = { lo: 32 << 10, hi: 1 << 20 } as const;

const V6 = 1_000_000;
/** A model address: the family and a port number (the model's own numbering). */
export function address(af: 0 | 4 | 6, port: number): number {
  return (af === 6 ? V6 : 0) + port;
}
function afOf(addr: number): 4 | 6 {
  return addr >= V6 ? 6 : 4;
}
function portOf(addr: number): number {
  return addr % V6;
}

const errName = (n: unknown): string => errnoName(Number(n));

defineReasons({
  'tcp.handshake': ['client server', (o) => `${o.client} connects to ${o.server}: SYN, SYN-ACK, ACK; on loopback the handshake completes inside connect()`],
  'tcp.pair': ['a b', (o) => `the pair is connected through a hidden listener: ${o.a} connect()ed, ${o.b} accept4()ed, the listener closed`],
  'tcp.connect-inprogress': [
    'name',
    (o) => `${o.name}: a non-blocking connect() returns EINPROGRESS even though loopback finished the handshake already (tcp(7))`,
  ],
  'tcp.connect-refused': [
    'target',
    (o) => `nothing listens at ${o.target}'s address: the SYN is answered with RST, the socket records ECONNREFUSED (connect() itself said EINPROGRESS)`,
  ],
  'tcp.connect-isconn': ['name why', (o) => `${o.name} is ${o.why}: EISCONN (connect(2))`],
  'tcp.connect-done': [
    'name',
    (o) => `${o.name} was still marked connecting since its first connect(); now it is established, so connect() returns 0 (__inet_stream_connect)`,
  ],
  'tcp.connect-aborted': [
    'name err',
    (o) => `${o.name}'s earlier connection attempt failed: connect() reports ${errName(o.err)} and the socket is unconnected again`,
  ],
  'tcp.connect-disconnecting': ['name', (o) => `${o.name} was shut down while connecting: connect() is EINVAL`],
  'tcp.connect-family': ['name target to from errno', (o) => `${o.target}'s address is IPv${o.to} and ${o.name} is IPv${o.from}: ${errName(o.errno)}`],
  'tcp.connect-backlog': ['name target', (o) => `${o.target}'s accept queue is full: the SYN is dropped and ${o.name} stays in SYN_SENT`],
  'tcp.connect-already': ['name', (o) => `${o.name}'s handshake is still under way: EALREADY`],
  'tcp.accept': ['name listener state', (o) => `${o.name} takes the oldest connection waiting in ${o.listener}'s accept queue (state ${o.state})`],
  'tcp.accept-empty': ['listener', (o) => `${o.listener}'s accept queue is empty: EAGAIN`],
  'tcp.accept-not-listening': ['listener', (o) => `${o.listener} is not listening: EINVAL`],
  'tcp.send': ['name n', (o) => `${o.name} sends ${o.n} byte(s) in one segment`],
  'tcp.send-nagle': [
    'name n',
    (o) =>
      `${o.name}'s ${o.n} byte(s) are queued, not sent: a small segment is still unacknowledged (the peer delays its ACK), so Nagle's rule holds them back (tcp_nagle_check)`,
  ],
  'tcp.send-window': ['name n', (o) => `${o.name}'s ${o.n} byte(s) are queued behind data the peer's closed window holds back`],
  'tcp.send-window-full': [
    'name n',
    (o) => `${o.name}'s ${o.n} byte(s) wait: unacknowledged data fills the peer's whole window, so nothing more leaves until the peer's next ACK`,
  ],
  'tcp.send-bulk': ['name n', (o) => `${o.name} sends ${o.n} bytes: how they are cut into segments depends on windows and congestion state`],
  'tcp.send-oob': ['name n', (o) => `${o.name} sends ${o.n} byte(s) with MSG_OOB: the last one is urgent (URG), which Nagle's rule does not hold back`],
  'tcp.send-shutdown': ['name', (o) => `${o.name} has shut down its sending side (SEND_SHUTDOWN): EPIPE`],
  'tcp.send-error': ['name err', (o) => `${o.name} has a pending error, ${errName(o.err)}: the write reports it and clears it`],
  'tcp.send-not-connected': ['name state', (o) => `${o.name} is ${o.state}: a write gets EPIPE (sk_stream_wait_connect)`],
  'tcp.send-full-maybe': [
    'name',
    (o) => `${o.name}'s send buffer was full and the peer has read a little since: whether this write fits depends on buffer accounting (EAGAIN or all of it)`,
  ],
  'tcp.recv': ['name n', (o) => `${o.name} reads ${o.n} byte(s)`],
  'tcp.recv-zero': ['name', (o) => `${o.name}: a read of 0 bytes returns 0 at once (sock_read_iter)`],
  'tcp.recv-listen': ['name', (o) => `${o.name} is a listening socket: read is ENOTCONN`],
  'tcp.recv-eof': ['name why', (o) => `${o.name}: no data, and ${o.why}: end of file (0)`],
  'tcp.recv-error': ['name err', (o) => `${o.name}: no data and a pending error, ${errName(o.err)}: the read reports it and clears it`],
  'tcp.recv-notconn': ['name', (o) => `${o.name} was never connected: ENOTCONN`],
  'tcp.recv-empty': ['name', (o) => `${o.name}: no data yet: EAGAIN`],
  'tcp.recv-urg-stop': ['name', (o) => `${o.name} stops before the urgent byte: it is not read in line (no SO_OOBINLINE)`],
  'tcp.recv-urg-skip': ['name', (o) => `${o.name} skips the urgent byte at the head of the stream; its mark is gone (EPOLLPRI clears)`],
  'tcp.ack-now': ['name why', (o) => `${o.name} ACKs at once: ${o.why}`],
  'tcp.ack-delayed': ['name why', (o) => `${o.name} delays its ACK (${o.why}): the pure ACK may land in this step or a later one`],
  'tcp.ack-maybe': ['name why', (o) => `${o.name} may ACK at once or delay it: ${o.why}`],
  'tcp.ack-on-read': [
    'name',
    (o) => `${o.name} emptied its receive queue of a pushed segment it had not acknowledged: the read sends the ACK (tcp_cleanup_rbuf)`,
  ],
  'tcp.pingpong': [
    'name',
    (o) => `${o.name} sends data shortly after receiving some: it enters pingpong mode and will delay its ACKs, hoping to send them with data`,
  ],
  'tcp.nagle-release': ['name n', (o) => `the ACK lets ${o.name} send what Nagle's rule held back (${o.n} byte(s))`],
  'tcp.fin': ['name why state', (o) => `${o.name} sends FIN (${o.why}); it is now ${o.state}`],
  'tcp.fin-queued': [
    'name why state',
    (o) => `${o.name}'s FIN (${o.why}) waits behind data the peer's window holds back: nothing on the wire; it is now ${o.state}`,
  ],
  'tcp.fin-rcvd': ['name state', (o) => `${o.name} receives FIN: it reads end of file from now on and reports IN|RDHUP; it is now ${o.state}`],
  'tcp.fin-acked': ['name state', (o) => `${o.name}'s FIN is acknowledged: it is now ${o.state}`],
  'tcp.rst-unread': [
    'name n',
    (o) => `${o.name} is closed with ${o.n} unread byte(s): the data is lost, so close sends RST instead of FIN (tcp_close, RFC 2525)`,
  ],
  'tcp.rst-linger': ['name', (o) => `${o.name} has SO_LINGER {1, 0}: close aborts the connection with RST (tcp_disconnect)`],
  'tcp.rst-closed-peer': ['name state', (o) => `data reaches ${o.name}, which ${o.state}: it answers RST (RFC 1122) and is done`],
  'tcp.rst-no-socket': ['', () => `no socket owns that address any more: the stack answers RST`],
  'tcp.rst-listener-close': [
    'listener',
    (o) => `${o.listener} stops listening with a connection not yet accepted: that connection is reset (inet_csk_listen_stop)`,
  ],
  'tcp.reset': [
    'name err',
    (o) => `${o.name} receives RST: error ${errName(o.err)}, state CLOSE, both directions shut; every flag fires (ERR, HUP, IN, RDHUP, OUT)`,
  ],
  'tcp.shutdown-rd': ['name', (o) => `SHUT_RD on TCP is local: ${o.name} marks its receive side shut (IN|RDHUP) and sends nothing`],
  'tcp.shutdown-enotconn': ['name', (o) => `${o.name} is not connected: ENOTCONN, but the shutdown bits are set all the same (inet_shutdown)`],
  'tcp.shutdown-listener': ['', () => `shutdown with SHUT_RD on a listening socket disconnects it: it stops listening (inet_shutdown)`],
  'tcp.shutdown-listener-wr': ['', () => `SHUT_WR alone does nothing to a listening socket`],
  'tcp.shutdown-again': ['name', (o) => `${o.name} has already sent its FIN: nothing more to send`],
  'tcp.shutdown-how': ['how', (o) => `${o.how} is not SHUT_RD, SHUT_WR or SHUT_RDWR: EINVAL`],
  'tcp.close': ['name what', (o) => `${o.name}'s socket is closed: ${o.what}`],
  'tcp.close-listener': ['name', (o) => `${o.name} stops listening`],
  'tcp.timewait': ['name state', (o) => `${o.name}'s connection is in ${o.state}: a timewait socket keeps its address`],
  'tcp.linger-wait': ['', () => `SO_LINGER {1, S>0}: close waits for the FIN to be acknowledged, long enough for the peer's delayed ACK to fire`],
  'tcp.linger': ['name secs', (o) => `${o.name}: SO_LINGER {1, ${o.secs}} set`],
  'tcp.fill': [
    'lo hi name',
    (o) =>
      `fill writes until the send buffer is full: how much fits depends on buffer autotuning (${o.lo}-${o.hi} bytes); the peer's receive queue takes a window's worth, the rest waits in ${o.name}'s send queue`,
  ],
  'tcp.fill-full': ['name', (o) => `${o.name}'s send buffer is already full: the first write gets EAGAIN, so fill wrote 0 bytes`],
  'tcp.drain': ['peer', (o) => `drain reads until EAGAIN; ${o.peer}'s queued bytes follow as the window opens, so its send buffer empties`],
  'tcp.delack-fired': ['name', (o) => `the sleep outlasts the delayed-ACK timer: ${o.name} sends the ACK it held`],
  'tcp.space': ['name', (o) => `${o.name}'s send buffer has room again: writers are woken (OUT)`],
});

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
    skbs: [],
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
    windowShut: false,
    wndFull: false,
    finWaits: false,
    heldUrg: -1,
    smallOut: false,
    urgOut: false,
    bigUnacked: false,
    finSent: false,
    finAcked: false,
    owesAck: false,
    peerWnd: 0,
    pingpong: false,
    quick: -1,
    pushed: 0,
    finRcvd: false,
    nospace: false,
    sndFull: false,
    peerRead: false,
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
    // The urgent byte at the head of the stream is not data a read returns: readable needs one more byte.
    const avail = length(so.rcv).hi;
    if (avail >= (so.urg && so.urg.at === 0 ? 2 : 1)) m |= IN | RDNORM;
    if (so.shutdown & SEND_SHUTDOWN || !so.sndFull) m |= OUT | WRNORM;
    if (so.urg) m |= PRI;
  }
  if (so.err) m |= ERR;
  return m;
}

/** tcp_poll sets SOCK_NOSPACE when it finds the socket not writable. */
export function tcpAfterPoll(d: Draft, id: number, m: number): void {
  const so = d.sock(id);
  if (so.state !== 'LISTEN' && !(m & OUT) && !so.nospace) d.sockW(id).nospace = true;
}

// ---------------------------------------------------------------------------------------------
// Addresses, endpoints and segments

/** The socket a segment to `dst` from `src` reaches: its connection (or its timewait socket), else a listener on `dst`; -1: none. */
function findSock(d: Draft, dst: number, src: number): number {
  let listener = -1;
  for (let id = d.objs.length - 1; id >= 0; id--) {
    const o = d.objs[id];
    if (!o || o.kind !== 'sock' || o.proto !== 'tcp' || o.local !== dst) continue;
    if (o.state === 'LISTEN') listener = id;
    else if (o.remote === src && o.state !== 'CLOSE') return id;
  }
  return listener;
}

/** A later socket (a timewait socket that took over the address) owns this connection now. */
function newerAt(d: Draft, id: number, dst: number, src: number): boolean {
  for (let k = id + 1; k < d.objs.length; k++) {
    const o = d.objs[k];
    if (o && o.kind === 'sock' && o.local === dst && o.remote === src && o.state !== 'CLOSE') return true;
  }
  return false;
}

function findListener(d: Draft, addr: number): number {
  for (let id = d.objs.length - 1; id >= 0; id--) {
    const o = d.objs[id];
    if (o && o.kind === 'sock' && o.proto === 'tcp' && o.state === 'LISTEN' && o.local === addr) return id;
  }
  return -1;
}

/** Endpoints.lookup (executor capture.cc): full 4-tuple, newest first; else a listener's entry on the address; else a refused connect (port 0). */
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
  /** The urgent byte (MSG_OOB). */
  readonly urg?: number;
  /** Its offset in the segment's data (default: the last byte). */
  readonly urgAt?: number;
}

const PURE_ACK: Tx = { flags: ACK, data: null, len: 0 };

function logSeg(log: StepLog, from: number, to: number, tx: Tx, rule: string, timing: 'now' | 'delayed' = 'now'): void {
  log.send({ from, to, flags: tx.flags, len: tx.len, rule, timing });
}

/**
 * Sends a segment from socket `id` to its peer's address and delivers it. Every segment but a
 * bare RST carries an ACK of everything received so far (loopback delivered it all at once),
 * which pays off an ACK the socket owed (tcp_event_ack_sent).
 */
function xmit(d: Draft, log: StepLog, id: number, tx: Tx, rule: string, timing: 'now' | 'delayed' = 'now'): void {
  const so = d.sock(id);
  logSeg(log, so.local, so.remote, tx, rule, timing);
  if (tx.flags & ACK) ackSent(d, id);
  if (tx.len > 0) dataSent(d, log, id, tx.len);
  if (tx.flags & FIN) d.sockW(id).finSent = true;
  deliver(d, log, so.local, so.remote, tx, id);
}

/** tcp_event_ack_sent: an ACK that was due is paid: one quick ACK fewer, the push flags cleared. */
function ackSent(d: Draft, id: number): void {
  const so = d.sock(id);
  if (!so.owesAck && so.pushed === 0) return;
  const w = d.sockW(id);
  if (w.owesAck && w.quick > 0) w.quick--;
  w.owesAck = false;
  w.pushed = 0;
  w.bigUnacked = false;
}

/**
 * tcp_event_data_sent: data sent soon after data arrived makes the socket pingpong (it expects to
 * answer requests), and from then on its ACKs wait for the timer.
 * Experiment: `tcp 5 6`, `write 5 "a"` ~> `5 > 6 P. len 1, 6 > 5 .`, `write 6 "b"`, then
 * `write 5 "c"` ~> `5 > 6 P. len 1` alone: 6 answered data with data (tests/tcp.test.ts, Nagle).
 */
function dataSent(d: Draft, log: StepLog, id: number, len: number): void {
  const so = d.sock(id);
  if (so.quick >= 0 && !so.pingpong) {
    d.sockW(id).pingpong = true;
    log.because('tcp.pingpong', nameOf(log, so));
  }
  if (len < MSS && !so.smallOut) d.sockW(id).smallOut = true;
}

/** tcp_v4_rcv: a segment reaches the socket at `dst`: a connection, a timewait socket, or nobody (the stack answers RST). */
function deliver(d: Draft, log: StepLog, src: number, dst: number, tx: Tx, sender: number): void {
  // Most segments go to the sender's connected peer: look there first, then search by address.
  const peer = sender >= 0 ? d.sock(sender).peer : -1;
  const p = peer >= 0 ? d.sockOrNull(peer) : null;
  const to = p && p.local === dst && p.remote === src && p.state !== 'CLOSE' && p.proto === 'tcp' && !newerAt(d, peer, dst, src) ? peer : findSock(d, dst, src);
  if (to < 0) {
    if (tx.flags & RST) return;
    // tcp_v4_send_reset: RST carrying the sequence the segment acknowledged (no ACK flag), or RST|ACK for a segment without ACK.
    log.because('tcp.rst-no-socket');
    logSeg(log, dst, src, { flags: tx.flags & ACK ? RST : RST | ACK, data: null, len: 0 }, 'tcp.rst-no-socket');
    if (sender >= 0) receiveRst(d, log, sender);
    return;
  }
  receive(d, log, to, tx, sender);
}

/** The socket is destroyed (an orphan whose connection ended) or done. */
function gone(d: Draft, id: number): boolean {
  const o = d.sockOrNull(id);
  return !o || (o.state === 'CLOSE' && o.file < 0);
}

/** What the receiving socket does with a segment (tcp_rcv_established, tcp_rcv_state_process, tcp_timewait_state_process). */
function receive(d: Draft, log: StepLog, id: number, tx: Tx, sender: number): void {
  const so = d.sock(id);
  if (tx.flags & RST) {
    receiveRst(d, log, id);
    return;
  }
  if (so.state === 'LISTEN') return;
  if (so.tw) {
    timewaitReceive(d, log, id, tx, sender);
    return;
  }
  if (so.peerWnd && so.peerWnd < WND) d.sockW(id).peerWnd = WND; // every segment after the SYN-ACK advertises the full window
  if (tx.flags & ACK) {
    receiveAck(d, log, id);
    if (gone(d, id)) return;
    const after = d.sock(id);
    if (after.file < 0 && after.state === 'FIN_WAIT2') {
      if (tx.len > 0) {
        // An orphan whose FIN is now acknowledged gets new data: tcp_done, and the caller answers RST (tcp_rcv_state_process, TCP_FIN_WAIT1).
        log.because('tcp.rst-closed-peer', nameOf(log, after), 'is closed');
        rstBack(d, log, after, sender);
        d.removeObj(id);
        return;
      }
      if (!(tx.flags & FIN)) {
        toTimewait(d, log, id, 'FIN_WAIT2');
        return;
      }
    }
    if (after.state === 'CLOSE') return;
  }
  if (tx.urg !== undefined) markUrgent(d, id, tx);
  if (tx.len > 0) {
    const now = d.sock(id);
    if (now.shutdown & RCV_SHUTDOWN && (now.state === 'FIN_WAIT1' || now.state === 'FIN_WAIT2')) {
      // RFC 1122: data after the receive side is closed, in FIN_WAIT, resets the connection (both ends).
      log.because('tcp.rst-closed-peer', nameOf(log, now), now.file < 0 ? 'is closed' : 'has shut down both ways');
      rstBack(d, log, now, sender);
      if (now.file < 0) d.removeObj(id);
      else resetWith(d, log, id, E.ECONNRESET);
      return;
    }
    queueData(d, log, id, tx);
  }
  if (tx.flags & FIN) receiveFin(d, log, id);
  if (gone(d, id) || d.sock(id).state === 'CLOSE') return;
  releaseHeld(d, log, id);
  if (gone(d, id)) return;
  ackDecision(d, log, id);
}

/** tcp_v4_send_reset from a socket that turns data away: RST (no ACK flag: the data segment carried one) to the sender. */
function rstBack(d: Draft, log: StepLog, was: SockObj, sender: number): void {
  logSeg(log, was.local, was.remote, { flags: RST, data: null, len: 0 }, 'tcp.rst-closed-peer');
  if (sender >= 0 && d.sockOrNull(sender)) receiveRst(d, log, sender);
}

/** tcp_ack: everything sent is acknowledged: no small segment outstanding; an acknowledged FIN moves the state on. */
function receiveAck(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  if (so.smallOut || so.urgOut) {
    const w = d.sockW(id);
    w.smallOut = false;
    w.urgOut = false;
  }
  // After a fill, any ACK frees acknowledged bytes: a small write may fit again.
  if (so.sndFull && !so.peerRead) d.sockW(id).peerRead = true;
  if (so.wndFull) {
    // It acknowledges the data that filled the window: what waited may go now (releaseHeld), a waiting FIN with it.
    d.sockW(id).wndFull = false;
    return;
  }
  if (!so.finSent || so.finAcked || so.windowShut) return;
  d.sockW(id).finAcked = true;
  switch (so.state) {
    case 'FIN_WAIT1': {
      const w = d.sockW(id);
      w.state = 'FIN_WAIT2';
      w.shutdown |= SEND_SHUTDOWN;
      log.because('tcp.fin-acked', nameOf(log, so), 'FIN_WAIT2');
      if (so.file >= 0) log.wake(so.file, 0);
      return;
    }
    case 'CLOSING':
      log.because('tcp.fin-acked', nameOf(log, so), 'TIME_WAIT');
      toTimewait(d, log, id, 'TIME_WAIT');
      return;
    case 'LAST_ACK':
      log.because('tcp.fin-acked', nameOf(log, so), 'CLOSE');
      done(d, log, id);
      return;
    default:
  }
}

/** tcp_done: CLOSE, both directions shut; an orphan is destroyed, a socket with a file wakes its waiters. */
function done(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  if (so.file < 0) {
    d.removeObj(id);
    return;
  }
  log.wake(so.file, 0);
  const w = d.sockW(id);
  w.state = 'CLOSE';
  w.shutdown = SHUTDOWN_MASK;
  w.held = NO_BYTES;
  w.heldUrg = -1;
  w.wndFull = false;
  w.finWaits = false;
  w.owesAck = false;
  w.windowShut = false;
}

/** tcp_time_wait: a timewait socket takes over the address; the socket itself is done. */
function toTimewait(d: Draft, log: StepLog, id: number, state: TcpState): void {
  const so = d.sock(id);
  log.because('tcp.timewait', nameOf(log, so), state);
  d.addObj({ ...so, acceptQueue: [], file: -1, tw: true, state, owesAck: false, held: NO_BYTES, rcv: NO_BYTES });
  done(d, log, id);
}

/** tcp_timewait_state_process: new data after a half-duplex close is reset; a FIN is acknowledged and the socket enters TIME_WAIT. */
function timewaitReceive(d: Draft, log: StepLog, id: number, tx: Tx, sender: number): void {
  const tw = d.sock(id);
  if (tx.len > 0 && tw.state === 'FIN_WAIT2') {
    log.because('tcp.rst-closed-peer', nameOf(log, tw), 'is closed');
    d.removeObj(id);
    rstBack(d, log, tw, sender);
    return;
  }
  if (tx.flags & FIN) {
    d.sockW(id).state = 'TIME_WAIT';
    logSeg(log, tw.local, tw.remote, PURE_ACK, 'tcp.ack-now');
    if (sender >= 0 && d.sockOrNull(sender)) receive(d, log, sender, PURE_ACK, id);
  }
}

/** tcp_reset: the error by state (ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, else ECONNRESET), the write queue dropped, tcp_done. */
function receiveRst(d: Draft, log: StepLog, id: number): void {
  const so = d.sockOrNull(id);
  if (!so) return;
  if (so.tw) {
    d.removeObj(id);
    return;
  }
  if (so.state === 'LISTEN' || so.state === 'CLOSE') return;
  resetWith(d, log, id, so.state === 'SYN_SENT' ? E.ECONNREFUSED : so.state === 'CLOSE_WAIT' ? E.EPIPE : E.ECONNRESET);
}

/** tcp_done_with_error: sk_err, CLOSE, both ways shut, waiters woken (state change, then error). */
function resetWith(d: Draft, log: StepLog, id: number, err: number): void {
  const so = d.sock(id);
  log.because('tcp.reset', nameOf(log, so), err);
  if (so.file < 0) {
    d.removeObj(id);
    return;
  }
  log.wake(so.file, 0);
  log.wake(so.file, KEY_ERR);
  const w = d.sockW(id);
  w.err = err;
  w.state = 'CLOSE';
  w.shutdown = SHUTDOWN_MASK;
  w.held = NO_BYTES;
  w.heldUrg = -1;
  w.wndFull = false;
  w.finWaits = false;
  w.owesAck = false;
  w.sndFull = false;
  w.windowShut = false;
}

/** tcp_urg / tcp_check_urg: the segment's last byte is the new urgent mark; an urgent byte still unread at the head of the stream is dropped, an older mark elsewhere becomes plain data. */
function markUrgent(d: Draft, id: number, tx: Tx): void {
  const w = d.sockW(id);
  if (w.urg && w.urg.at === 0 && nonEmpty(w.rcv)) w.rcv = take(w.rcv, 1).rest;
  w.urg = { byte: tx.urg!, at: length(w.rcv).lo + (tx.urgAt ?? tx.len - 1) };
}

/**
 * tcp_data_queue + tcp_event_data_recv: the bytes join the receive queue and wake readers; the
 * first data sets the quick-ACK budget from its size (tcp_incr_quickack: window / (2 · rcv_mss)).
 * Experiment: `tcp 5 6` then nine `write 5 4096`: the first seven are ACKed at once, the last two
 * are not (65535 / 8192 = 7; tests/tcp.test.ts, the quick-ACK budget).
 */
function queueData(d: Draft, log: StepLog, id: number, tx: Tx): void {
  const w = d.sockW(id);
  if (tx.data) w.rcv = append(w.rcv, tx.data);
  if (w.quick < 0) {
    const rcvMss = Math.max(RCV_MSS_INIT, Math.min(tx.len, MSS));
    w.quick = Math.min(MAX_QUICKACKS, Math.floor(INIT_RCV_WND / (2 * rcvMss)) || 2);
  } else if (w.quick === 0 && tx.len >= 128) {
    w.bulk = true; // tcp_grow_window may grant one more quick ACK: the ACK's timing is not known
  }
  w.pushed = w.pushed >= 1 && tx.len < RCV_MSS_INIT ? 2 : 1;
  w.owesAck = true;
  if (tx.len > BULK_WRITE || length(w.rcv).hi > RCVBUF_HALF) w.bulk = true;
  if (w.file >= 0) log.wake(w.file, KEY_DATA);
}

/**
 * tcp_fin: the receive side is shut (SOCK_DONE); ESTABLISHED → CLOSE_WAIT (pingpong: the ACK
 * waits), FIN_WAIT1 → CLOSING and FIN_WAIT2 → TIME_WAIT (both ACK at once).
 * Experiment: `shutdown 5 WR` ~> `5 > 6 F.` and no ACK from 6 in that step; it comes when 6 next
 * sends, or ~40 ms later (tests/tcp.test.ts, the ACK of a FIN).
 */
function receiveFin(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  const w = d.sockW(id);
  w.shutdown |= RCV_SHUTDOWN;
  w.finRcvd = true;
  w.owesAck = true;
  let next: TcpState = so.state;
  if (so.state === 'ESTABLISHED') {
    next = 'CLOSE_WAIT';
    w.pingpong = true;
  } else if (so.state === 'FIN_WAIT1') next = 'CLOSING';
  else if (so.state === 'FIN_WAIT2') next = 'TIME_WAIT';
  if (next !== 'TIME_WAIT') w.state = next;
  log.because('tcp.fin-rcvd', nameOf(log, so), next);
  if (so.file >= 0) log.wake(so.file, 0);
  if (next === 'CLOSING' || next === 'TIME_WAIT') {
    pureAck(d, log, id, 'a FIN received in FIN_WAIT is acknowledged at once');
    if (next === 'TIME_WAIT' && !gone(d, id)) toTimewait(d, log, id, 'TIME_WAIT');
  }
}

function pureAck(d: Draft, log: StepLog, id: number, why: string): void {
  log.because('tcp.ack-now', nameOf(log, d.sock(id)), why);
  xmit(d, log, id, PURE_ACK, 'tcp.ack-now');
}

/** __tcp_ack_snd_check: ACK now in quick-ACK mode (quick ACKs left and not pingpong); else the delayed-ACK timer holds it. */
function ackDecision(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  if (!so.owesAck || so.state === 'CLOSE') return; // paid already (data went out with it), or nobody to ACK
  const name = nameOf(log, so);
  if (so.bulk && !so.pingpong) {
    // Window and buffer accounting decide: the ACK may go now or wait (it is on the wire or not; either agrees).
    log.because('tcp.ack-maybe', name, 'after bulk transfers, buffer accounting decides whether a quick ACK is left');
    logSeg(log, so.local, so.remote, PURE_ACK, 'tcp.ack-maybe', 'delayed');
    return;
  }
  if (!so.pingpong && so.quick > 0) {
    pureAck(d, log, id, 'quick-ACK mode (few segments received so far, not pingpong)');
    return;
  }
  log.because('tcp.ack-delayed', name, so.pingpong ? 'pingpong mode' : 'no quick ACKs left');
}

/**
 * tcp_data_snd_check: bytes Nagle's rule held go once nothing small is outstanding. In urgent
 * mode (an MSG_OOB segment not yet acknowledged) Nagle's rule does not hold anything.
 * Experiment: after `write 5 "a"`, `write 6 "b"`, `write 5 "c"` (6 pingpong, "c" unacknowledged),
 * `write 5 "d"` ~> none (held), `send 5 "e" oob` ~> `5 > 6 P.U len 2`, and `write 5 "f"` ~>
 * `5 > 6 P. len 1` at once although "de" is unacknowledged.
 */
function releaseHeld(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  if (so.windowShut || so.wndFull || so.state === 'CLOSE' || so.state === 'LISTEN') return;
  if (so.finWaits) {
    // The window opened: the FIN goes, with whatever waited (tcp_send_fin merged it onto the last unsent bytes).
    log.because('tcp.fin', nameOf(log, so), 'the window opened', so.state);
    d.sockW(id).finWaits = false;
    xmit(d, log, id, heldTx(d, id, FIN | ACK), 'tcp.fin');
    return;
  }
  if ((so.smallOut && !so.urgOut && so.heldUrg < 0) || !nonEmpty(so.held)) return;
  log.because('tcp.nagle-release', nameOf(log, so), length(so.held).lo);
  xmit(d, log, id, heldTx(d, id, ACK), 'tcp.nagle-release');
}

/** A segment carrying the bytes held back (PSH when there are some, URG when an urgent byte is among them); `held` is emptied. */
function heldTx(d: Draft, id: number, flags: number): Tx {
  const so = d.sock(id);
  const n = length(so.held).lo;
  if (!n) return { flags, data: null, len: 0 };
  const data = joinChunks(so.held);
  const at = so.heldUrg; // read before writing: the draft's copy may be `so` itself
  const w = d.sockW(id);
  w.held = NO_BYTES;
  if (at < 0) return { flags: flags | PSH, data, len: n };
  w.heldUrg = -1;
  w.urgOut = true;
  const urg = data instanceof Uint8Array ? data[at] : X;
  return { flags: flags | PSH | URG, data, len: n, urg, urgAt: at };
}

function joinChunks(q: Chunks): Chunk {
  const all = take(q, length(q).hi);
  return all.bytes ?? xRun(all.count.lo, all.count.hi);
}

// ---------------------------------------------------------------------------------------------
// Creating sockets and connections

/** socket(AF_INET, SOCK_STREAM): CLOSE, unconnected (a bare socket polls as OUT|HUP). */
export function createTcp(d: Draft, af: 4 | 6, creator: number): [number, FileId] {
  const id = d.addObj(newTcp(af, creator));
  const f = d.addFile('socket', id);
  d.sockW(id).file = f;
  return [id, f];
}

/** listen(): a socket bound to a port the executor picks, backlog 16; its endpoint is registered (no peer). */
export function makeListener(d: Draft, slot: number): [number, FileId] {
  const [id, f] = createTcp(d, 4, slot);
  const w = d.sockW(id);
  w.state = 'LISTEN';
  w.local = address(4, 10000 + d.nextPort());
  d.addEndpoint(slot, w.local, -1);
  return [id, f];
}

/**
 * The handshake on loopback (tcp_v4_connect, tcp_rcv_synsent_state_process, tcp_check_req):
 * SYN, SYN-ACK from the listener's address, ACK; the new connection waits in the listener's
 * accept queue and wakes it (IN); the client is ESTABLISHED and wakes its waiters.
 */
function handshake(d: Draft, log: StepLog, client: number, lst: number, clientName: string, listenerName: string): void {
  const c = d.sock(client);
  const l = d.sock(lst);
  d.sockW(client).state = 'SYN_SENT';
  logSeg(log, c.local, l.local, { flags: SYN, data: null, len: 0 }, 'tcp.handshake');
  if (l.acceptQueue.length > BACKLOG) {
    log.because('tcp.connect-backlog', clientName, listenerName);
    return;
  }
  logSeg(log, l.local, c.local, { flags: SYN | ACK, data: null, len: 0 }, 'tcp.handshake');
  logSeg(log, c.local, l.local, PURE_ACK, 'tcp.handshake');
  log.because('tcp.handshake', clientName, listenerName);
  const child = d.addObj({
    ...newTcp(l.af === 6 ? 6 : 4, -1),
    state: 'ESTABLISHED',
    ss: 'connected',
    local: l.local,
    remote: c.local,
    peer: client,
    listener: lst,
    peerWnd: WND,
  });
  const cw = d.sockW(client);
  cw.peerWnd = SYNACK_WND;
  cw.state = 'ESTABLISHED';
  cw.peer = child;
  cw.remote = l.local;
  d.sockW(lst).acceptQueue.push(child);
  if (l.file >= 0) log.wake(l.file, KEY_DATA);
  if (c.file >= 0) log.wake(c.file, 0);
}

/** tcp A B (and pair on a TCP family): a hidden listener, connect (EINPROGRESS), accept4, the listener closed. Returns A's and B's files. */
export function tcpPair(d: Draft, log: StepLog, af: 4 | 6, a: number, b: number): [FileId, FileId] {
  const lst = d.addObj({ ...newTcp(af, -1), state: 'LISTEN', local: address(af, 10000 + d.nextPort()) });
  const [aId, aFile] = createTcp(d, af, a);
  const aw = d.sockW(aId);
  aw.local = address(af, 40000 + d.nextPort());
  aw.ss = 'connecting';
  const port = d.sock(lst).local;
  handshake(d, log, aId, lst, log.name(a), log.name(b));
  log.because('tcp.pair', log.name(a), log.name(b));
  const child = d.sock(lst).acceptQueue[0];
  const bFile = d.addFile('socket', child);
  const bw = d.sockW(child);
  bw.file = bFile;
  bw.creator = b;
  bw.listener = -1;
  d.removeObj(lst);
  d.addEndpoint(a, aw.local, port);
  d.addEndpoint(b, port, aw.local);
  return [aFile, bFile];
}

/**
 * __inet_stream_connect's checks on struct socket's state: null when a new attempt may start, else
 * what connect() says. A non-blocking connect leaves the socket SS_CONNECTING even though the
 * handshake is over when it returns; the next connect() finds it ESTABLISHED and says 0 (and
 * marks it connected), only the one after says EISCONN.
 * Experiment: `listen l`, `connect c l` => EINPROGRESS, `connect c l` => 0, `connect c l` =>
 * EISCONN (tests/tcp.test.ts, connect).
 */
function connectState(d: Draft, log: StepLog, id: number, name: string): Outcome | null {
  const so = d.sock(id);
  switch (so.ss) {
    case 'connected':
      log.because('tcp.connect-isconn', name, 'connected');
      return fail(E.EISCONN);
    case 'disconnecting':
      log.because('tcp.connect-disconnecting', name);
      return fail(E.EINVAL);
    case 'connecting':
      if (so.state === 'SYN_SENT') {
        log.because('tcp.connect-already', name);
        return fail(E.EALREADY);
      }
      if (so.state !== 'CLOSE') {
        log.because('tcp.connect-done', name);
        d.sockW(id).ss = 'connected';
        return OK;
      }
      // sock_error: the attempt failed; its error (or ECONNABORTED), and tcp_disconnect makes the socket new again.
      {
        const err = so.err || E.ECONNABORTED;
        log.because('tcp.connect-aborted', name, err);
        const w = d.sockW(id);
        w.err = 0;
        w.ss = 'unconnected';
        w.shutdown = 0;
        w.finRcvd = false;
        w.rcv = NO_BYTES;
        w.urg = null;
        return fail(err);
      }
    case 'unconnected':
      if (so.state !== 'CLOSE') {
        log.because('tcp.connect-isconn', name, so.state === 'LISTEN' ? 'listening' : `in state ${so.state}`);
        return fail(E.EISCONN);
      }
      return null;
  }
}

/**
 * connect() of a TCP socket to the address of socket `target`: a handshake with its listener, or
 * RST at once (refused). Either way a non-blocking connect says EINPROGRESS: the SYN is sent and
 * answered inside the call, after the socket chose to return EINPROGRESS.
 * Experiment: `connect x 6` to a connected (not listening) socket's address => EINPROGRESS
 * ~> `x > 6 S, 6 > x R.`; then x polls IN|OUT|ERR|HUP|RDHUP, `read x` => ECONNREFUSED and another
 * `connect x 6` => ECONNABORTED (tests/tcp.test.ts, refused).
 */
export function tcpConnect(d: Draft, log: StepLog, id: number, target: number, name: string, targetName: string, fresh: boolean): Outcome {
  if (!fresh) {
    const st = connectState(d, log, id, name);
    if (st) return st;
  }
  const so = d.sock(id);
  const to = d.sock(target).local;
  if (to >= 0 && portOf(to) !== 0 && afOf(to) !== so.af) {
    const errno = so.af === 4 ? E.EAFNOSUPPORT : E.EINVAL;
    log.because('tcp.connect-family', name, targetName, afOf(to), so.af, errno);
    return fail(errno);
  }
  const local = address(so.af, 40000 + d.nextPort());
  const w = d.sockW(id);
  w.local = local;
  w.ss = 'connecting';
  w.remote = to;
  w.err = 0;
  const lst = to >= 0 ? findListener(d, to) : -1;
  if (lst >= 0) {
    handshake(d, log, id, lst, name, targetName);
    log.because('tcp.connect-inprogress', name);
    d.addEndpoint(so.creator, local, to);
    return fail(E.EINPROGRESS);
  }
  // Refused at once: the RST is processed before connect() returns; its port is released (getsockname says port 0).
  logSeg(log, local, to, { flags: SYN, data: null, len: 0 }, 'tcp.connect-refused');
  logSeg(log, to, local, { flags: RST | ACK, data: null, len: 0 }, 'tcp.connect-refused');
  log.because('tcp.connect-refused', targetName);
  d.sockW(id).state = 'SYN_SENT';
  resetWith(d, log, id, E.ECONNREFUSED);
  d.sockW(id).local = address(so.af, 0);
  d.addEndpoint(so.creator, address(so.af, 0), to);
  return fail(E.EINPROGRESS);
}

/** accept4 on a TCP listener: the oldest child, whatever became of it meanwhile. Returns the result and the new file. */
export function tcpAccept(d: Draft, log: StepLog, lst: number, slot: number, lname: string): [Outcome, FileId] {
  const l = d.sock(lst);
  if (l.state !== 'LISTEN') {
    log.because('tcp.accept-not-listening', lname);
    return [fail(E.EINVAL), -1];
  }
  if (!l.acceptQueue.length) {
    log.because('tcp.accept-empty', lname);
    return [fail(E.EAGAIN), -1];
  }
  const child = l.acceptQueue[0];
  d.sockW(lst).acceptQueue.shift();
  const f = d.addFile('socket', child);
  const c = d.sockW(child);
  log.because('tcp.accept', log.name(slot), lname, c.state);
  c.file = f;
  c.creator = slot;
  c.listener = -1;
  d.addEndpoint(slot, c.local, c.remote);
  return [OK, f];
}

// ---------------------------------------------------------------------------------------------
// Sending

/** The checks of tcp_sendmsg before any byte is taken: null when the write may proceed. */
function sendChecks(d: Draft, log: StepLog, id: number, name: string): Outcome | null {
  const so = d.sock(id);
  if (so.state !== 'ESTABLISHED' && so.state !== 'CLOSE_WAIT') {
    if (so.state === 'SYN_SENT') return fail(E.EAGAIN);
    if (so.err) return reportErr(d, log, id, name);
    log.because('tcp.send-not-connected', name, so.state === 'LISTEN' ? 'listening' : so.state === 'CLOSE' ? 'closed (not connected)' : `in ${so.state}`);
    return fail(E.EPIPE);
  }
  if (so.err) return reportErr(d, log, id, name);
  if (so.shutdown & SEND_SHUTDOWN) {
    log.because('tcp.send-shutdown', name);
    return fail(E.EPIPE);
  }
  return null;
}

/** sock_error: the pending error is returned and cleared. */
function reportErr(d: Draft, log: StepLog, id: number, name: string): Outcome {
  const err = d.sock(id).err;
  log.because('tcp.send-error', name, err);
  d.sockW(id).err = 0;
  return fail(err);
}

/** tcp_sendmsg: the checks, then the bytes go out in one segment unless Nagle's rule (or a closed window) holds them. */
export function tcpSend(d: Draft, log: StepLog, id: number, name: string, data: Payload, oob: boolean): Outcome {
  const checked = sendChecks(d, log, id, name);
  if (checked) return checked;
  const so = d.sock(id);
  const n = payloadLength(data);
  if (n === 0) return value(0);
  if (so.sndFull) {
    if (!so.nospace) d.sockW(id).nospace = true;
    // ACKs that came in since the fill freed what they acknowledged: a small write may fit (poll still says full).
    log.because('tcp.send-full-maybe', name);
    d.sockW(id).held = append(so.held, payloadChunk(data, n));
    return so.peerRead ? either(value(n), fail(E.EAGAIN)) : either(fail(E.EAGAIN), value(n));
  }
  const chunk = payloadChunk(data, n);
  if (so.windowShut) {
    log.because('tcp.send-window', name, n);
    d.sockW(id).held = append(so.held, chunk);
    return value(n);
  }
  if (so.wndFull && n <= BULK_WRITE) {
    log.because('tcp.send-window-full', name, n);
    const w = d.sockW(id);
    if (oob) w.heldUrg = length(so.held).lo + n - 1;
    w.held = append(so.held, chunk);
    return value(n);
  }
  if (n > BULK_WRITE) return bulkSend(d, log, id, name, chunk, n, oob, data);
  if (oob) {
    // Urgent mode: Nagle's rule does not apply; held bytes go with these; the last byte is the urgent one.
    const held = length(so.held).lo;
    const all = joinChunks(append(so.held, chunk));
    log.because('tcp.send-oob', name, n);
    const w = d.sockW(id);
    w.held = NO_BYTES;
    w.heldUrg = -1;
    w.urgOut = true;
    xmit(d, log, id, { flags: PSH | ACK | URG, data: all, len: held + n, urg: typeof data === 'number' ? X : data[n - 1] }, 'tcp.send-oob');
    return value(n);
  }
  if ((so.smallOut && !so.urgOut) || nonEmpty(so.held)) {
    log.because('tcp.send-nagle', name, n);
    d.sockW(id).held = append(so.held, chunk);
    return value(n);
  }
  log.because('tcp.send', name, n);
  xmit(d, log, id, { flags: PSH | ACK, data: chunk, len: n }, 'tcp.send');
  return value(n);
}

/** A write too big to say how it is cut into segments: the bytes reach the peer as the windows allow; ACKs are not predicted one by one. */
function bulkSend(d: Draft, log: StepLog, id: number, name: string, chunk: Chunk, n: number, oob: boolean, data: Payload): Outcome {
  const so = d.sock(id);
  const heldLen = length(so.held).lo;
  log.because('tcp.send-bulk', name, n);
  const peer = d.sockOrNull(so.peer);
  const refused =
    !!peer && !peer.tw && peer.local === so.remote && !!(peer.shutdown & RCV_SHUTDOWN) && (peer.state === 'FIN_WAIT1' || peer.state === 'FIN_WAIT2');
  log.send({ from: so.local, to: so.remote, bytes: exact(n + heldLen), rule: 'tcp.send-bulk', rst: refused });
  const w = d.sockW(id);
  const all = append(so.held, chunk);
  w.held = NO_BYTES;
  w.heldUrg = -1;
  w.smallOut = false;
  if (w.quick >= 0) w.pingpong = true;
  if (!peer || peer.tw || peer.state === 'CLOSE' || peer.local !== so.remote) return value(n);
  if (refused) {
    // Each segment meets a socket that takes no more data: it answers RST (part of the bulk transfer's wire).
    log.because('tcp.rst-closed-peer', nameOf(log, peer), peer.file < 0 ? 'is closed' : 'has shut down both ways');
    if (peer.file < 0) d.removeObj(so.peer);
    else resetWith(d, log, so.peer, E.ECONNRESET);
    receiveRst(d, log, id);
    return value(n);
  }
  if (oob) markUrgent(d, so.peer, { flags: URG, data: null, len: length(all).lo, urg: typeof data === 'number' ? X : data[data.length - 1] });
  const p = d.sockW(so.peer);
  p.rcv = [...p.rcv, ...all];
  // How the ACKs go depends on the windows: with quick ACKs to spare (and not pingpong) every segment is acknowledged;
  // otherwise the last ones wait, the writer's next small segment waits behind them (Nagle), and a read sends the ACK.
  const quick = p.quick < 0 ? 1 : p.quick;
  const total = length(all).lo;
  // Segments are half the largest window the peer advertised; once autotuning changed it the cut is not known.
  const seg = so.peerWnd ? Math.min(MSS, Math.floor(so.peerWnd / 2)) : 0;
  const segments = seg ? Math.ceil(total / seg) : BULK_SEGMENTS;
  if (!p.pingpong && quick >= segments) {
    p.quick = quick - segments;
    d.sockW(id).smallOut = false;
  } else {
    const acked = p.pingpong ? 0 : quick;
    p.quick = 0;
    p.owesAck = true;
    // More than one segment's worth unacknowledged: a read ACKs (tcp_cleanup_rbuf). A last segment shorter than the rest is small: Nagle holds the next write.
    p.bigUnacked = seg ? total - acked * seg > seg : true;
    const me = d.sockW(id);
    me.smallOut = seg ? total % seg !== 0 : true;
    // Nothing acknowledged and the peer's whole window in flight: the next bytes wait for its ACK.
    if (seg && total - acked * seg >= so.peerWnd) me.wndFull = true;
  }
  p.bulk = true;
  if (p.file >= 0) log.wake(p.file, KEY_DATA);
  return value(n);
}

/** How many segments a bulk write of up to 64 KiB takes on loopback (2 or 3, by the windows): the quick ACKs it needs. */
const BULK_SEGMENTS = 3;

/** fill on TCP: writes until the send buffer is full. How much fits is a range (autotuning); the peer's queue takes a window's worth, the rest waits. */
export function tcpFill(d: Draft, log: StepLog, id: number, name: string): Outcome {
  const checked = sendChecks(d, log, id, name);
  if (checked) return checked.errno === E.EAGAIN ? value(0) : checked;
  const so = d.sock(id);
  if (so.sndFull) {
    log.because('tcp.fill-full', name);
    if (!so.nospace) d.sockW(id).nospace = true;
    return value(0);
  }
  log.because('tcp.fill', FILL.lo, FILL.hi, name);
  const peer = d.sockOrNull(so.peer);
  const refused =
    !!peer && !peer.tw && peer.local === so.remote && !!(peer.shutdown & RCV_SHUTDOWN) && (peer.state === 'FIN_WAIT1' || peer.state === 'FIN_WAIT2');
  log.send({ from: so.local, to: so.remote, bytes: FILL, rule: 'tcp.fill', rst: refused });
  const w = d.sockW(id);
  w.sndFull = true;
  w.nospace = true;
  w.smallOut = false;
  w.peerWnd = 0; // autotuning grows the windows: how later writes are cut is not known
  if (w.quick >= 0) w.pingpong = true;
  if (!peer || peer.tw || peer.state === 'CLOSE' || peer.local !== so.remote) {
    w.held = [xRun(FILL.lo, FILL.hi)];
    w.windowShut = true;
    return count(FILL);
  }
  if (refused) {
    // The first segments meet a socket that takes no more data: RST, and the next write fails (reporting, so clearing, the error).
    log.because('tcp.rst-closed-peer', nameOf(log, peer), peer.file < 0 ? 'is closed' : 'has shut down both ways');
    if (peer.file < 0) d.removeObj(so.peer);
    else resetWith(d, log, so.peer, E.ECONNRESET);
    receiveRst(d, log, id);
    const me = d.sock(id);
    if (me.err) d.sockW(id).err = 0;
    return count({ lo: 1, hi: 1 << 20 });
  }
  w.held = [...so.held, xRun(FILL.lo - FILL_PEER.hi, FILL.hi)];
  w.windowShut = true;
  const p = d.sockW(so.peer);
  p.peerWnd = 0;
  p.rcv = append(p.rcv, xRun(FILL_PEER.lo, FILL_PEER.hi));
  p.bulk = true;
  p.owesAck = true;
  if (p.quick < 0) p.quick = 0;
  if (p.file >= 0) log.wake(p.file, KEY_DATA);
  return count(FILL);
}

// ---------------------------------------------------------------------------------------------
// Receiving

/** tcp_recvmsg: bytes up to the urgent mark; at the mark, a read with nothing copied yet skips the urgent byte; then EOF, the pending error, ENOTCONN or EAGAIN. */
export function tcpRecv(d: Draft, log: StepLog, id: number, name: string, n: number): Outcome {
  const so = d.sock(id);
  if (n === 0) {
    log.because('tcp.recv-zero', name);
    return value(0);
  }
  if (so.state === 'LISTEN') {
    log.because('tcp.recv-listen', name);
    return fail(E.ENOTCONN);
  }
  let rcv = so.rcv;
  let urg = so.urg;
  const parts: Uint8Array[] = [];
  let unsure = false;
  let lo = 0;
  let hi = 0;
  let left = n;
  while (left > 0 && nonEmpty(rcv)) {
    if (urg && urg.at === 0) {
      if (hi > 0) {
        log.because('tcp.recv-urg-stop', name);
        break;
      }
      log.because('tcp.recv-urg-skip', name);
      rcv = take(rcv, 1).rest;
      urg = null;
      continue;
    }
    const t = take(rcv, urg ? Math.min(left, urg.at) : left);
    rcv = t.rest;
    if (t.bytes) parts.push(t.bytes);
    else unsure = true;
    lo += t.count.lo;
    hi += t.count.hi;
    left -= t.count.hi;
    if (urg) urg = { byte: urg.byte, at: urg.at - t.count.lo };
    if (t.count.hi === 0 || unsure) break;
  }
  if (rcv !== so.rcv || urg !== so.urg) {
    const w = d.sockW(id);
    w.rcv = rcv;
    w.urg = urg;
  }
  if (hi === 0) {
    if (so.finRcvd) {
      log.because('tcp.recv-eof', name, 'the peer sent FIN');
      return EMPTY_READ;
    }
    if (so.err) {
      log.because('tcp.recv-error', name, so.err);
      const err = so.err;
      d.sockW(id).err = 0;
      return fail(err);
    }
    if (so.shutdown & RCV_SHUTDOWN) {
      log.because('tcp.recv-eof', name, 'its receive side is shut');
      return EMPTY_READ;
    }
    if (so.state === 'CLOSE') {
      log.because('tcp.recv-notconn', name);
      return fail(E.ENOTCONN);
    }
    log.because('tcp.recv-empty', name);
    return fail(E.EAGAIN);
  }
  log.because('tcp.recv', name, lo === hi ? lo : `${lo}-${hi}`);
  cleanupRbuf(d, log, id);
  return bytesRead(unsure ? null : concat(parts), { lo, hi });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * tcp_cleanup_rbuf: a read that empties the queue sends the ACK owed for a pushed segment (two of
 * them, or one when not pingpong).
 * Experiment: `tcp 5 6`, `write 5 "a"`, `write 6 "b"`, `write 5 "c"` (6 pingpong, ACK owed),
 * `read 6` => "ac" ~> none: one pushed segment is not enough in pingpong mode.
 */
function cleanupRbuf(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  if (so.bigUnacked && so.owesAck && so.state !== 'CLOSE') {
    // More than one full segment received and not acknowledged: the read ACKs now (tcp_cleanup_rbuf).
    log.because('tcp.ack-on-read', nameOf(log, so));
    d.sockW(id).bigUnacked = false;
    xmit(d, log, id, PURE_ACK, 'tcp.ack-on-read');
    return;
  }
  if (so.bulk) {
    // Window updates follow buffer accounting: they may go now or not.
    if (so.remote >= 0 && so.state !== 'CLOSE') logSeg(log, so.local, so.remote, PURE_ACK, 'tcp.ack-maybe', 'delayed');
    const peer = d.sockOrNull(so.peer);
    if (peer && peer.sndFull && !peer.peerRead) d.sockW(so.peer).peerRead = true;
    return;
  }
  if (!so.owesAck || nonEmpty(so.rcv)) return;
  if (so.pushed >= 2 || (so.pushed === 1 && !so.pingpong)) {
    log.because('tcp.ack-on-read', nameOf(log, so));
    xmit(d, log, id, PURE_ACK, 'tcp.ack-on-read');
  }
}

/** drain on TCP: reads until EAGAIN or EOF (a read stops before an urgent byte; the next one skips it); a filled peer's queued bytes, and a FIN behind them, come through as the window opens. */
export function tcpDrain(d: Draft, log: StepLog, id: number, name: string): Outcome {
  const so = d.sock(id);
  const peer = d.sockOrNull(so.peer);
  // tcp_cleanup_rbuf sends no window update once the receive side is shut; an ACK still owed for the data goes all the same and carries the open window.
  if (peer && peer.windowShut && !peer.tw && peer.remote === so.local && (!(so.shutdown & RCV_SHUTDOWN) || so.owesAck)) openWindow(d, log, id, so.peer);
  let total: Range = exact(0);
  const parts: Uint8Array[] = [];
  let known = true;
  for (let calls = 0; ; calls++) {
    const r = tcpRecv(d, log, id, name, Number.MAX_SAFE_INTEGER);
    if (r.errno) {
      // EAGAIN ends a drain; another error is its result only if nothing came before (and it is consumed either way).
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
  if (known && total.lo === total.hi) return bytesRead(concat(parts), total);
  return { ret: total.lo, errno: 0, bytes: null, ...(total.lo === total.hi ? {} : { range: total }) };
}

/** The reader drains: the window opens, what the filled peer holds arrives (and its FIN if one waits behind it), and the peer has room again. */
function openWindow(d: Draft, log: StepLog, id: number, peerId: number): void {
  const peer = d.sock(peerId);
  log.because('tcp.drain', nameOf(log, peer));
  log.send({ from: peer.local, to: peer.remote, bytes: length(peer.held), rule: 'tcp.drain' });
  const w = d.sockW(id);
  w.rcv = [...w.rcv, ...peer.held];
  const pw = d.sockW(peerId);
  pw.held = NO_BYTES;
  pw.heldUrg = -1;
  pw.windowShut = false;
  pw.sndFull = false;
  pw.peerRead = false;
  pw.smallOut = false;
  if (pw.file >= 0 && pw.nospace) {
    log.because('tcp.space', nameOf(log, pw));
    log.wake(pw.file, KEY_SPACE);
  }
  pw.nospace = false;
  if (!peer.finSent || d.sock(id).finRcvd) return;
  // The FIN behind the data arrives; the ACK for it (which comes with the reader's next segment) moves the writer on.
  receiveFin(d, log, id);
  const after = d.sockOrNull(peerId);
  if (!after || after.tw || after.finAcked) return;
  d.sockW(peerId).finAcked = true;
  if (after.state === 'FIN_WAIT1') {
    if (after.file < 0) toTimewait(d, log, peerId, 'FIN_WAIT2');
    else {
      d.sockW(peerId).state = 'FIN_WAIT2';
      log.wake(after.file, 0);
    }
  } else if (after.state === 'LAST_ACK') done(d, log, peerId);
  else if (after.state === 'CLOSING') toTimewait(d, log, peerId, 'TIME_WAIT');
}

// ---------------------------------------------------------------------------------------------
// shutdown, close, linger

/** inet_shutdown + tcp_shutdown. */
export function tcpShutdown(d: Draft, log: StepLog, id: number, how: number, name: string, f: FileId): Outcome {
  const bits = how + 1;
  if (bits & ~SHUTDOWN_MASK || bits === 0) {
    log.because('tcp.shutdown-how', how);
    return fail(E.EINVAL);
  }
  const so = d.sock(id);
  let r = OK;
  if (so.ss === 'connecting') d.sockW(id).ss = so.state === 'SYN_SENT' || so.state === 'CLOSE' ? 'disconnecting' : 'connected';
  switch (so.state) {
    case 'LISTEN':
      if (bits & RCV_SHUTDOWN) {
        log.because('tcp.shutdown-listener');
        listenStop(d, log, id);
        const w = d.sockW(id);
        w.state = 'CLOSE';
        w.shutdown = 0;
      } else log.because('tcp.shutdown-listener-wr');
      break;
    case 'CLOSE':
      log.because('tcp.shutdown-enotconn', name);
      d.sockW(id).shutdown |= bits;
      r = fail(E.ENOTCONN);
      break;
    default:
      d.sockW(id).shutdown |= bits;
      if (bits === RCV_SHUTDOWN) log.because('tcp.shutdown-rd', name);
      if (bits & SEND_SHUTDOWN) {
        if (so.state === 'ESTABLISHED' || so.state === 'CLOSE_WAIT') sendFin(d, log, id, 'shutdown(SHUT_WR)');
        else log.because('tcp.shutdown-again', name);
      }
  }
  log.wake(f, 0);
  return r;
}

/** tcp_close_state + tcp_send_fin: ESTABLISHED → FIN_WAIT1, CLOSE_WAIT → LAST_ACK; bytes Nagle held go with the FIN (FP.); behind a closed window the FIN waits. */
function sendFin(d: Draft, log: StepLog, id: number, why: string): void {
  const so = d.sock(id);
  const next: TcpState = so.state === 'CLOSE_WAIT' ? 'LAST_ACK' : 'FIN_WAIT1';
  d.sockW(id).state = next;
  if (so.windowShut) {
    log.because('tcp.fin-queued', nameOf(log, so), why, next);
    d.sockW(id).finSent = true;
    return;
  }
  if (so.wndFull) {
    log.because('tcp.fin-queued', nameOf(log, so), why, next);
    const w = d.sockW(id);
    w.finSent = true;
    w.finWaits = true;
    return;
  }
  log.because('tcp.fin', nameOf(log, so), why, next);
  xmit(d, log, id, heldTx(d, id, FIN | ACK), 'tcp.fin');
}

/** inet_csk_listen_stop: connections not yet accepted are reset (tcp_disconnect sends RST|ACK). */
function listenStop(d: Draft, log: StepLog, id: number): void {
  const l = d.sock(id);
  const queue = l.acceptQueue;
  d.sockW(id).acceptQueue = [];
  for (const c of queue) {
    const child = d.sockOrNull(c);
    if (!child) continue;
    d.removeObj(c);
    if (child.state === 'ESTABLISHED' || child.state === 'CLOSE_WAIT' || child.state === 'FIN_WAIT1' || child.state === 'FIN_WAIT2') {
      log.because('tcp.rst-listener-close', log.name(l.creator));
      logSeg(log, child.local, child.remote, { flags: RST | ACK, data: null, len: 0 }, 'tcp.rst-listener-close');
      receiveRst(d, log, child.peer);
    }
  }
}

/**
 * tcp_close: unread data → RST; SO_LINGER {1, 0} → RST; else FIN if the state calls for one; the
 * socket lives on as an orphan until its connection ends.
 * Experiment: `write 5 "a"`, `close 6` ~> `6 > 5 R.` (not F.), then 5 polls
 * IN|OUT|ERR|HUP|RDHUP and `read 5` => ECONNRESET (tests/tcp.test.ts, close with unread data).
 */
export function tcpClose(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  const name = nameOf(log, so);
  const w = d.sockW(id);
  w.shutdown = SHUTDOWN_MASK;
  w.file = -1;
  if (so.state === 'LISTEN') {
    log.because('tcp.close-listener', name);
    listenStop(d, log, id);
    d.removeObj(id);
    return;
  }
  const unread = length(so.rcv).lo;
  w.rcv = NO_BYTES;
  w.urg = null;
  if (so.state === 'CLOSE') {
    log.because('tcp.close', name, 'its connection had already ended (RST, or never connected): nothing to send');
    d.removeObj(id);
    return;
  }
  if (unread > 0) {
    log.because('tcp.rst-unread', name, unread);
    abort(d, log, id, so, 'tcp.rst-unread');
    return;
  }
  if (so.linger0) {
    log.because('tcp.rst-linger', name);
    if (so.state === 'ESTABLISHED' || so.state === 'CLOSE_WAIT' || so.state === 'FIN_WAIT1' || so.state === 'FIN_WAIT2')
      abort(d, log, id, so, 'tcp.rst-linger');
    else d.removeObj(id);
    return;
  }
  if (so.state === 'ESTABLISHED' || so.state === 'CLOSE_WAIT') sendFin(d, log, id, 'the last close of its socket');
  else log.because('tcp.close', name, `in ${so.state}, its FIN is already out: nothing new on the wire`);
  if (gone(d, id)) return;
  if (so.lingerWait) lingerWait(d, log, id);
  if (gone(d, id)) return;
  const after = d.sock(id);
  if (after.state === 'FIN_WAIT2') toTimewait(d, log, id, 'FIN_WAIT2');
  else if (after.state === 'CLOSE') d.removeObj(id);
}

/** tcp_send_active_reset: RST|ACK, the connection gone at once; the peer is reset. */
function abort(d: Draft, log: StepLog, id: number, so: SockObj, rule: string): void {
  logSeg(log, so.local, so.remote, { flags: RST | ACK, data: null, len: 0 }, rule);
  d.removeObj(id);
  if (so.peer >= 0) {
    const p = d.sockOrNull(so.peer);
    if (p && p.remote === so.local) receiveRst(d, log, so.peer);
  }
}

/** sk_stream_wait_close: with SO_LINGER {1, S>0} close waits while the FIN is unacknowledged: the peer's delayed ACK fires meanwhile. */
function lingerWait(d: Draft, log: StepLog, id: number): void {
  const so = d.sock(id);
  if (!(so.state === 'FIN_WAIT1' || so.state === 'CLOSING' || so.state === 'LAST_ACK')) return;
  const peer = d.sockOrNull(so.peer);
  if (!peer || !peer.owesAck) return;
  log.because('tcp.linger-wait');
  fireDelayedAck(d, log, so.peer);
}

/** The delayed-ACK timer fires: the pure ACK goes; in pingpong mode the socket leaves it (tcp_delack_timer_handler). */
function fireDelayedAck(d: Draft, log: StepLog, id: number): void {
  log.because('tcp.delack-fired', nameOf(log, d.sock(id)));
  d.sockW(id).pingpong = false;
  xmit(d, log, id, PURE_ACK, 'tcp.delack-fired');
}

/** setsockopt(SO_LINGER, {1, S}). */
export function tcpLinger(d: Draft, log: StepLog, id: number, secs: number, name: string): Outcome {
  log.because('tcp.linger', name, secs);
  const w = d.sockW(id);
  w.linger0 = secs === 0;
  w.lingerWait = secs > 0;
  return OK;
}

/** The pure ACKs held by delayed-ACK timers now (from address, to address). */
export function owedAcks(s: State): { from: number; to: number }[] {
  let out: { from: number; to: number }[] | null = null;
  for (const o of s.objs)
    if (o && o.kind === 'sock' && o.owesAck && o.proto === 'tcp' && o.state !== 'CLOSE' && o.remote >= 0) (out ??= []).push({ from: o.local, to: o.remote });
  return out ?? NO_ACKS;
}

const NO_ACKS: { from: number; to: number }[] = [];

/** Whether an owed ACK, landing, would wake anyone (receiveAck): it acknowledges a FIN, or releases bytes Nagle holds. */
export function owedAcksWake(s: State): boolean {
  for (const o of s.objs) {
    if (!o || o.kind !== 'sock' || o.proto !== 'tcp' || !o.owesAck || o.state === 'CLOSE' || o.peer < 0) continue;
    const p = s.objs[o.peer];
    if (p && p.kind === 'sock' && ((p.finSent && !p.finAcked && !p.windowShut) || nonEmpty(p.held) || p.finWaits)) return true;
  }
  return false;
}

/** A sleep long enough for every delayed-ACK timer (200 ms at most) sends those ACKs. */
export function tcpSleep(d: Draft, log: StepLog, ms: number): void {
  if (ms < 200) return;
  for (let id = 0; id < d.objs.length; id++) {
    const o = d.objs[id];
    if (o && o.kind === 'sock' && o.proto === 'tcp' && o.owesAck && o.state !== 'CLOSE' && o.remote >= 0) fireDelayedAck(d, log, id);
  }
}

export type { Tx };
