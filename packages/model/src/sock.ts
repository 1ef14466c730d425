// Sockets as the executor makes and uses them: which family each op gets, and the dispatch of
// every socket call to the TCP or UNIX rules.
import { length } from './bytes';
import { installNew, lowestFree, room, bindSlot } from './fd-table';
import { E, fail, OK, Step } from './outcome';
import type { Payload } from './pipe';
import { file, FileId, obj, SockObj, State, withFile } from './state';
import * as tcp from './tcp';
import * as unix from './unix';
import { defineReasons, RawSegment, StepLog } from './why';

defineReasons({
  'sock.getsockname': (o) => `${o.target} is not a socket: getsockname() is ENOTSOCK before connect() is even tried`,
  'sock.connect-unix': (o) => `${o.target} is a UNIX socket with no name: the address is only a family, and connect() says EINVAL`,
});

function sockOf(s: State, f: FileId): [number, SockObj] {
  const id = file(s, f).obj;
  return [id, obj<SockObj>(s, id)];
}

/** f_op->poll of a socket file. */
export function sockPoll(_s: State, so: SockObj): number {
  return so.proto === 'tcp' ? tcp.tcpPoll(so) : unix.unixPoll(so);
}

export function sockAfterPoll(s: State, id: number, m: number): State {
  const so = obj<SockObj>(s, id);
  return so.proto === 'tcp' ? tcp.tcpAfterPoll(s, id, m) : s;
}

/** sock_close: the protocol's release. */
export function sockRelease(s: State, log: StepLog, f: FileId): State {
  const [id, so] = sockOf(s, f);
  return so.proto === 'tcp' ? tcp.tcpClose(s, log, id) : unix.unixClose(s, log, id);
}

/** tcp A B / tcp6 A B / pair on a TCP family. */
export function tcpPair(s: State, log: StepLog, a: number, b: number, af: 4 | 6): Step {
  if (!room(s, log, 2)) return failBind(s, E.EMFILE, a, b);
  // The executor's fds: the hidden listener takes the lowest free number, A the next, B the next; then the listener's is freed.
  const [s1, fa, fb] = tcp.tcpPair(s, log, af, a, b);
  const hidden = lowestFree(s1);
  const placeholder = { ...s1, fdFile: setFd(s1.fdFile, hidden, -2) };
  let cur = installNew(placeholder, log, a, fa);
  cur = installNew(cur, log, b, fb);
  cur = { ...cur, fdFile: setFd(cur.fdFile, hidden, -1) };
  return { s: cur, r: OK };
}

function setFd(arr: readonly number[], i: number, v: number): number[] {
  const out = arr.slice();
  while (out.length <= i) out.push(-1);
  out[i] = v;
  return out;
}

function failBind(s: State, errno: number, ...slots: number[]): Step {
  let cur = s;
  for (const slot of slots) cur = bindSlot(cur, slot, -1);
  return { s: cur, r: fail(errno) };
}

export function unixPair(s: State, log: StepLog, a: number, b: number): Step {
  if (!room(s, log, 2)) return failBind(s, E.EMFILE, a, b);
  const [s1, fa, fb] = unix.unixPair(s, a, b);
  log.because('unix.pair', { a: log.name(a), b: log.name(b) });
  return { s: installNew(installNew(s1, log, a, fa), log, b, fb), r: OK };
}

/** socket A: a bare AF_INET TCP socket. */
export function bareSocket(s: State, log: StepLog, slot: number): Step {
  if (!room(s, log, 1)) return failBind(s, E.EMFILE, slot);
  const [s1, , f] = tcp.createTcp(s, 4, slot);
  return { s: installNew(s1, log, slot, f), r: OK };
}

/** listen L: AF_INET, a port the executor picks, backlog 16. */
export function listenSocket(s: State, log: StepLog, slot: number): Step {
  if (!room(s, log, 1)) return failBind(s, E.EMFILE, slot);
  const [s1, , f] = tcp.makeListener(s, slot);
  return { s: installNew(s1, log, slot, f), r: OK };
}

/** The address family getsockname() gives for file `l`, or the errno it fails with. */
function target(s: State, log: StepLog, l: FileId, lname: string): SockObj | number {
  const fl = file(s, l);
  if (fl.kind !== 'socket') {
    log.because('sock.getsockname', { target: lname });
    return E.ENOTSOCK;
  }
  return obj<SockObj>(s, fl.obj);
}

/** connect A L with A not open: a new socket of L's family, connect()ed; A is bound whatever connect says. */
export function connectNew(s: State, log: StepLog, slot: number, l: FileId, lname: string): Step {
  if (!room(s, log, 1)) return failBind(s, E.EMFILE, slot);
  const t = target(s, log, l, lname);
  if (typeof t === 'number') return failBind(s, t, slot);
  if (t.proto === 'unix') {
    const [s1, , f] = unix.unixLone(s, slot);
    log.because('sock.connect-unix', { target: lname });
    return { s: installNew(s1, log, slot, f), r: fail(E.EINVAL) };
  }
  const [s1, id, f] = tcp.createTcp(s, t.af === 6 ? 6 : 4, slot);
  const s2 = installNew(s1, log, slot, f);
  return tcp.tcpConnect(s2, log, id, file(s2, l).obj, log.name(slot), lname, true);
}

/** connect A L with A open. */
export function connectExisting(s: State, log: StepLog, a: FileId, l: FileId, name: string, lname: string): Step {
  const t = target(s, log, l, lname);
  if (typeof t === 'number') return { s, r: fail(t) };
  const fa = file(s, a);
  if (fa.kind !== 'socket') {
    log.because('op.not-socket', { name });
    return { s, r: fail(E.ENOTSOCK) };
  }
  const so = obj<SockObj>(s, fa.obj);
  if (so.proto === 'unix') {
    log.because('unix.connect');
    return { s, r: fail(E.EINVAL) };
  }
  if (t.proto === 'unix') {
    // sa_family AF_UNIX, 2 bytes: a connected socket says EISCONN first, an unconnected one EINVAL (tcp_v4_connect: short address).
    const st = so.ss === 'connected' || (so.ss === 'unconnected' && so.state !== 'CLOSE');
    log.because(st ? 'tcp.connect-isconn' : 'sock.connect-unix', st ? { name, why: 'connected' } : { target: lname });
    return { s, r: fail(st ? E.EISCONN : E.EINVAL) };
  }
  return tcp.tcpConnect(s, log, fa.obj, file(s, l).obj, name, lname, false);
}

/** accept L -> B. */
export function accept(s: State, log: StepLog, l: FileId, slot: number, lname: string): Step {
  if (!room(s, log, 1)) return failBind(s, E.EMFILE, slot);
  const fl = file(s, l);
  if (fl.kind !== 'socket') {
    log.because('op.not-socket', { name: lname });
    return failBind(s, E.ENOTSOCK, slot);
  }
  const so = obj<SockObj>(s, fl.obj);
  if (so.proto === 'unix') {
    log.because('unix.accept');
    return failBind(s, E.EINVAL, slot);
  }
  const [s1, r, f] = tcp.tcpAccept(s, log, fl.obj, slot, lname);
  if (r.errno) return failBind(s1, r.errno, slot);
  return { s: installNew(s1, log, slot, f), r: OK };
}

export function send(s: State, log: StepLog, f: FileId, name: string, data: Payload, oob: boolean): Step {
  const [id, so] = sockOf(s, f);
  return so.proto === 'tcp' ? tcp.tcpSend(s, log, id, name, data, oob) : unix.unixSend(s, log, id, name, data, oob);
}

export function recv(s: State, log: StepLog, f: FileId, name: string, n: number): Step {
  const [id, so] = sockOf(s, f);
  return so.proto === 'tcp' ? tcp.tcpRecv(s, log, id, name, n) : unix.unixRecv(s, log, id, name, n);
}

export function fill(s: State, log: StepLog, f: FileId, name: string): Step {
  const [id, so] = sockOf(s, f);
  return so.proto === 'tcp' ? tcp.tcpFill(s, log, id, name) : unix.unixFill(s, log, id, name);
}

export function drain(s: State, log: StepLog, f: FileId, name: string): Step {
  const [id, so] = sockOf(s, f);
  return so.proto === 'tcp' ? tcp.tcpDrain(s, log, id, name) : unix.unixDrain(s, log, id, name);
}

export function shutdown(s: State, log: StepLog, f: FileId, how: number, name: string): Step {
  const [id, so] = sockOf(s, f);
  return so.proto === 'tcp' ? tcp.tcpShutdown(s, log, id, how, name, f) : unix.unixShutdown(s, log, id, how, name);
}

export function linger(s: State, log: StepLog, f: FileId, secs: number, name: string): Step {
  const [id, so] = sockOf(s, f);
  if (so.proto === 'unix') {
    log.because('unix.linger', { name });
    return { s, r: OK };
  }
  return tcp.tcpLinger(s, log, id, secs, name);
}

export function sleep(s: State, log: StepLog, ms: number): Step {
  return { s: tcp.tcpSleep(s, log, ms), r: OK };
}

/** Pure ACKs held by delayed-ACK timers: they may land in any later step. */
export function pendingAcks(s: State): RawSegment[] {
  return tcp.owedAcks(s).map((a) => ({ from: a.from, to: a.to, flags: tcp.ACK, len: 0, rule: 'tcp.ack-delayed', timing: 'delayed' as const }));
}

/** Bytes queued in a socket, for the state view. */
export function queued(so: SockObj): number {
  return length(so.rcv).lo;
}

export { withFile };
