// Sockets as the executor makes and uses them: which family each op gets, and the dispatch of
// every socket call to the TCP or UNIX rules.
import { failBind, installNew, lowestFree, room } from './fd-install';
import { E, fail, OK, Outcome } from './outcome';
import type { Payload } from './pipe';
import { Draft, FileId, SockObj, State } from './state';
import * as tcp from './tcp';
import * as unix from './unix';
import { defineReasons, RawSegment, StepLog } from './why';

defineReasons({
  'sock.not-socket': ['name', (o) => `${o.name} is not a socket: ENOTSOCK`],
  'sock.getsockname': ['target', (o) => `${o.target} is not a socket: getsockname() is ENOTSOCK before connect() is even tried`],
  'sock.connect-unix': ['target', (o) => `${o.target} is a UNIX socket with no name: its address is only a family, and connect() says EINVAL`],
});

/** f_op->poll of a socket. */
export function sockPoll(d: { objs: readonly unknown[] }, so: SockObj): number {
  return so.proto === 'tcp' ? tcp.tcpPoll(so) : unix.unixPoll(so, unix.wmemOf(d, so));
}

export function sockAfterPoll(d: Draft, id: number, m: number): void {
  if (d.sock(id).proto === 'tcp') tcp.tcpAfterPoll(d, id, m);
}

/** sock_close: the protocol's release. */
export function sockRelease(d: Draft, log: StepLog, f: FileId): void {
  const id = d.file(f).obj;
  if (d.sock(id).proto === 'tcp') tcp.tcpClose(d, log, id);
  else unix.unixClose(d, log, id);
}

/** tcp A B / tcp6 A B / pair on a TCP family. */
export function tcpPair(d: Draft, log: StepLog, a: number, b: number, af: 4 | 6): Outcome {
  if (!room(d, log, 2)) return failBind(d, E.EMFILE, a, b);
  // The executor's numbers: the hidden listener takes the lowest free one, A the next, B the next; then the listener's is freed.
  const hidden = lowestFree(d);
  d.setFd(hidden, -2);
  const [fa, fb] = tcp.tcpPair(d, log, af, a, b);
  installNew(d, log, a, fa);
  installNew(d, log, b, fb);
  d.setFd(hidden, -1);
  return OK;
}

export function unixPair(d: Draft, log: StepLog, a: number, b: number): Outcome {
  if (!room(d, log, 2)) return failBind(d, E.EMFILE, a, b);
  const [fa, fb] = unix.unixPair(d, a, b);
  log.because('unix.pair', log.name(a), log.name(b));
  installNew(d, log, a, fa);
  installNew(d, log, b, fb);
  return OK;
}

/** socket A: a bare AF_INET TCP socket. */
export function bareSocket(d: Draft, log: StepLog, slot: number): Outcome {
  if (!room(d, log, 1)) return failBind(d, E.EMFILE, slot);
  installNew(d, log, slot, tcp.createTcp(d, 4, slot)[1]);
  return OK;
}

/** listen L: AF_INET, a port the executor picks, backlog 16. */
export function listenSocket(d: Draft, log: StepLog, slot: number): Outcome {
  if (!room(d, log, 1)) return failBind(d, E.EMFILE, slot);
  installNew(d, log, slot, tcp.makeListener(d, slot)[1]);
  return OK;
}

/** What getsockname() on file `l` gives: its socket, or ENOTSOCK. */
function target(d: Draft, log: StepLog, l: FileId, lname: string): SockObj | number {
  const fl = d.file(l);
  if (fl.kind !== 'socket') {
    log.because('sock.getsockname', lname);
    return E.ENOTSOCK;
  }
  return d.sock(fl.obj);
}

/** connect A L with A not open: a new socket of L's family, connect()ed; A is bound whatever connect says. */
export function connectNew(d: Draft, log: StepLog, slot: number, l: FileId, lname: string): Outcome {
  if (!room(d, log, 1)) return failBind(d, E.EMFILE, slot);
  const t = target(d, log, l, lname);
  if (typeof t === 'number') return failBind(d, t, slot);
  if (t.proto === 'unix') {
    installNew(d, log, slot, unix.unixLone(d, slot));
    log.because('sock.connect-unix', lname);
    return fail(E.EINVAL);
  }
  const [id, f] = tcp.createTcp(d, t.af === 6 ? 6 : 4, slot);
  installNew(d, log, slot, f);
  return tcp.tcpConnect(d, log, id, d.file(l).obj, log.name(slot), lname, true);
}

/** connect A L with A open. */
export function connectExisting(d: Draft, log: StepLog, a: FileId, l: FileId, name: string, lname: string): Outcome {
  const t = target(d, log, l, lname);
  if (typeof t === 'number') return fail(t);
  const fa = d.file(a);
  if (fa.kind !== 'socket') {
    log.because('sock.not-socket', name);
    return fail(E.ENOTSOCK);
  }
  const so = d.sock(fa.obj);
  if (so.proto === 'unix') {
    log.because('unix.connect');
    return fail(E.EINVAL);
  }
  if (t.proto === 'unix') {
    // sa_family AF_UNIX, 2 bytes: a connected socket says EISCONN first, an unconnected one EINVAL (tcp_v4_connect: short address).
    const isconn = so.ss === 'connected' || (so.ss === 'unconnected' && so.state !== 'CLOSE');
    if (isconn) log.because('tcp.connect-isconn', name, 'connected');
    else log.because('sock.connect-unix', lname);
    return fail(isconn ? E.EISCONN : E.EINVAL);
  }
  return tcp.tcpConnect(d, log, fa.obj, d.file(l).obj, name, lname, false);
}

/** accept L -> B. */
export function accept(d: Draft, log: StepLog, l: FileId, slot: number, lname: string): Outcome {
  if (!room(d, log, 1)) return failBind(d, E.EMFILE, slot);
  const fl = d.file(l);
  if (fl.kind !== 'socket') {
    log.because('sock.not-socket', lname);
    return failBind(d, E.ENOTSOCK, slot);
  }
  if (d.sock(fl.obj).proto === 'unix') {
    log.because('unix.accept');
    return failBind(d, E.EINVAL, slot);
  }
  const [r, f] = tcp.tcpAccept(d, log, fl.obj, slot, lname);
  if (r.errno) return failBind(d, r.errno, slot);
  installNew(d, log, slot, f);
  return OK;
}

function sockOf(d: Draft, f: FileId): [number, SockObj] {
  const id = d.file(f).obj;
  return [id, d.sock(id)];
}

export function send(d: Draft, log: StepLog, f: FileId, name: string, data: Payload, oob: boolean): Outcome {
  const [id, so] = sockOf(d, f);
  return so.proto === 'tcp' ? tcp.tcpSend(d, log, id, name, data, oob) : unix.unixSend(d, log, id, name, data, oob);
}

export function recv(d: Draft, log: StepLog, f: FileId, name: string, n: number): Outcome {
  const [id, so] = sockOf(d, f);
  return so.proto === 'tcp' ? tcp.tcpRecv(d, log, id, name, n) : unix.unixRecv(d, log, id, name, n);
}

export function fill(d: Draft, log: StepLog, f: FileId, name: string): Outcome {
  const [id, so] = sockOf(d, f);
  return so.proto === 'tcp' ? tcp.tcpFill(d, log, id, name) : unix.unixFill(d, log, id, name);
}

export function drain(d: Draft, log: StepLog, f: FileId, name: string): Outcome {
  const [id, so] = sockOf(d, f);
  return so.proto === 'tcp' ? tcp.tcpDrain(d, log, id, name) : unix.unixDrain(d, log, id, name);
}

export function shutdown(d: Draft, log: StepLog, f: FileId, how: number, name: string): Outcome {
  const [id, so] = sockOf(d, f);
  return so.proto === 'tcp' ? tcp.tcpShutdown(d, log, id, how, name, f) : unix.unixShutdown(d, log, id, how, name);
}

export function linger(d: Draft, log: StepLog, f: FileId, secs: number, name: string): Outcome {
  const [id, so] = sockOf(d, f);
  if (so.proto === 'unix') {
    log.because('unix.linger', name);
    return OK;
  }
  return tcp.tcpLinger(d, log, id, secs, name);
}

export const owedAcksWake = tcp.owedAcksWake;

/** Every delayed-ACK timer fires now (a run slower than the timer: the ACKs land mid-run). */
export function fireOwedAcks(d: Draft, log: StepLog): void {
  tcp.tcpSleep(d, log, 200);
}

export function sleep(d: Draft, log: StepLog, ms: number): Outcome {
  tcp.tcpSleep(d, log, ms);
  return OK;
}

/** Pure ACKs held by delayed-ACK timers: they may land in any later step. */
export function pendingAcks(s: State): RawSegment[] {
  const owed = tcp.owedAcks(s);
  return owed.length ? owed.map((a) => ({ from: a.from, to: a.to, flags: tcp.ACK, len: 0, rule: 'tcp.ack-delayed', timing: 'delayed' as const })) : NONE;
}

const NONE: RawSegment[] = [];
