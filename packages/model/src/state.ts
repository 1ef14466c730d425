// The model's objects: the process's descriptor table, the open file descriptions it points to,
// and what lies under them (pipes, sockets, counters, epoll instances). A State is never changed
// in place: every rule returns a new one that shares what it did not touch, so the state after
// each step is kept for free.
import { Chunks } from './bytes';

/** A file id (`file#N` in the state view): one open file description. */
export type FileId = number;

/** The interest key of epoll: (file, fd number). Two registrations of one file under two numbers are two items. */
export interface Item {
  readonly file: FileId;
  readonly fd: number;
  /** The mask as the kernel keeps it: what was asked, plus ERR|HUP, plus the private bits (ET, ONESHOT, …). */
  readonly events: number;
  /** The slot whose index is data.u64 (what a wait reports). */
  readonly data: number;
}

/** Where an epoll item waits on a file's wait queue: the epoll (its file) and the item's key. */
export interface Watcher {
  readonly ep: FileId;
  readonly file: FileId;
  readonly fd: number;
  readonly exclusive: boolean;
}

export interface EpollObj {
  readonly kind: 'epoll';
  /** The interest list, in the order the items were added. */
  readonly items: readonly Item[];
  /** The ready list (rdllist) in order: indexes are item keys `file`/`fd`. */
  readonly ready: readonly ItemKey[];
  /** Registrations that left when their file was closed everywhere (for the reasons of later waits). */
  readonly gone: readonly GoneItem[];
}

export interface GoneItem {
  readonly file: FileId;
  readonly fd: number;
  readonly data: number;
}

export interface ItemKey {
  readonly file: FileId;
  readonly fd: number;
}

/** One page buffer of a pipe: `off` bytes of the page already read, `len` bytes waiting. */
export interface PipeBuf {
  readonly off: number;
  readonly len: number;
}

export interface PipeObj {
  readonly kind: 'pipe';
  readonly bufs: readonly PipeBuf[];
  readonly data: Chunks;
  readonly readers: number;
  readonly writers: number;
  /** pipe_poll sets it on the first poll: from then on every write wakes the readers (fs/pipe.c). */
  readonly pollUsage: boolean;
}

export interface CounterObj {
  readonly kind: 'eventfd';
  /** The 64-bit counter. */
  readonly count: bigint;
}

/** TCP states (include/net/tcp_states.h), as the model tracks them. */
export type TcpState =
  | 'CLOSE'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'ESTABLISHED'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT';

/** sk_shutdown bits. */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/** struct socket's state (SS_*): what connect() remembers between calls. */
export type SockState = 'unconnected' | 'connecting' | 'connected' | 'disconnecting';

export interface SockObj {
  readonly kind: 'sock';
  readonly proto: 'tcp' | 'unix';
  /** 4 or 6 for TCP (the address family), 0 for unix. */
  readonly af: 0 | 4 | 6;
  readonly state: TcpState;
  readonly ss: SockState;
  readonly shutdown: number;
  /** sk_err: the pending error (0 none), cleared when a call reports it. */
  readonly err: number;
  /** Bytes waiting to be read; for unix one chunk per skb (per write). */
  readonly rcv: Chunks;
  /** The connected peer (object id), -1 none. */
  readonly peer: number;
  /** Slot of the name that created the socket: segments are attributed to it. */
  readonly creator: number;
  /** The file of this socket, -1 once closed (an orphan TCP socket lives on through FIN_WAIT, TIME_WAIT). */
  readonly file: FileId;
  /** TCP: local and peer address (see Endpoint), -1 none. */
  readonly local: number;
  readonly remote: number;
  /** Listener: children waiting in the accept queue, oldest first. A child: its listener (-1 otherwise). */
  readonly acceptQueue: readonly number[];
  readonly listener: number;
  /** SO_LINGER {1, 0}: close sends RST. */
  readonly linger0: boolean;
  /** SO_LINGER {1, S>0}: close waits for the FIN to be acknowledged. */
  readonly lingerWait: boolean;
  /** Urgent data (MSG_OOB): TCP urg_data/urg_seq, unix oob_skb. */
  readonly urg: UrgState | null;
  /** TCP: bytes written and held back by Nagle's rule (a small segment is still unacknowledged). */
  readonly held: Chunks;
  /** TCP: a data segment smaller than the MSS was sent and is not acknowledged yet (Minshall's Nagle). */
  readonly smallOut: boolean;
  /** TCP: our FIN was sent. */
  readonly finSent: boolean;
  /** TCP: our FIN was acknowledged. */
  readonly finAcked: boolean;
  /** TCP: an ACK this socket owes its peer, held by the delayed-ACK timer. */
  readonly owesAck: boolean;
  /** TCP pingpong mode (inet_csk_in_pingpong_mode): ACKs wait for data to ride on. */
  readonly pingpong: boolean;
  /** TCP quick ACKs left (icsk_ack.quick); -1 before the first data segment arrives (ato 0). */
  readonly quick: number;
  /** TCP: icsk_ack.pending ICSK_ACK_PUSHED (1) / PUSHED2 (2) since the last ACK sent. */
  readonly pushed: number;
  /** TCP: the peer's FIN was received (SOCK_DONE). */
  readonly finRcvd: boolean;
  /** SOCK_NOSPACE: a poll or a write found it full, so freed space wakes writers (OUT). */
  readonly nospace: boolean;
  /** The send side was filled: it is not writable until the peer drains. */
  readonly sndFull: boolean;
  /** A bulk transfer happened on this connection: byte counts and ACKs are ranges from here on. */
  readonly bulk: boolean;
  /** TCP: a timewait socket (TIME_WAIT, or FIN_WAIT2 after close). */
  readonly tw: boolean;
}

export interface UrgState {
  /** The urgent byte. */
  readonly byte: number;
  /** Offset of the urgent byte in the stream still to read: bytes before it in `rcv`. */
  readonly at: number;
  /** TCP_URG_VALID: the byte is there to be read with MSG_OOB (EPOLLPRI). */
  readonly valid: boolean;
}

export type Obj = EpollObj | PipeObj | CounterObj | SockObj;

export type FileKind = 'epoll' | 'pipe-r' | 'pipe-w' | 'eventfd' | 'socket';

/** An open file description. */
export interface File {
  readonly kind: FileKind;
  /** The object under it (index into State.objs). */
  readonly obj: number;
  /** Descriptors that refer to it (the open count). */
  readonly refs: number;
  /** Epoll items waiting on it (its wait queue), in wake-up order. */
  readonly watchers: readonly Watcher[];
}

/** The executor's endpoint table (capture attribution): a name, a local address, a peer address (-1 none). */
export interface Endpoint {
  readonly slot: number;
  readonly local: number;
  readonly peer: number;
}

export interface State {
  /** Slot → descriptor number (-1: none, as a name bound by a failed op). */
  readonly slotFd: readonly number[];
  /** Descriptor number → file id (-1: free). Numbers count from the scenario's first free number. */
  readonly fdFile: readonly number[];
  /** File id → file (null: released). */
  readonly files: readonly (File | null)[];
  /** Object id → object (null: gone). */
  readonly objs: readonly (Obj | null)[];
  /** Endpoints registered for wire attribution, oldest first. */
  readonly eps: readonly Endpoint[];
  /** Next model port for a listener / an ephemeral client port. */
  readonly ports: number;
}

export function emptyState(slots: number): State {
  return { slotFd: new Array<number>(slots).fill(-1), fdFile: [], files: [], objs: [], eps: [], ports: 1 };
}

/** The file a number refers to, or -1. */
export function fileAt(s: State, fd: number): FileId {
  return fd >= 0 && fd < s.fdFile.length ? s.fdFile[fd] : -1;
}

export function file(s: State, id: FileId): File {
  const f = s.files[id];
  if (!f) throw new Error(`model: file#${id} is gone`);
  return f;
}

export function obj<T extends Obj>(s: State, id: number): T {
  const o = s.objs[id];
  if (!o) throw new Error(`model: object ${id} is gone`);
  return o as T;
}

export function objOf<T extends Obj>(s: State, id: FileId): T {
  return obj<T>(s, file(s, id).obj);
}

/** A copy of `arr` with element `i` replaced (grown with `fill` if needed). */
export function setAt<T>(arr: readonly T[], i: number, v: T, fill: T): T[] {
  const out = arr.slice();
  while (out.length < i) out.push(fill);
  out[i] = v;
  return out;
}

export function withFile(s: State, id: FileId, f: File | null): State {
  return { ...s, files: setAt(s.files, id, f, null) };
}

export function withObj(s: State, id: number, o: Obj | null): State {
  return { ...s, objs: setAt(s.objs, id, o, null) };
}

export function updateObj<T extends Obj>(s: State, id: number, patch: Partial<T>): State {
  return withObj(s, id, { ...obj<T>(s, id), ...patch });
}

export function updateFile(s: State, id: FileId, patch: Partial<File>): State {
  return withFile(s, id, { ...file(s, id), ...patch });
}

/** Adds an object; returns the new state and its id. */
export function addObj(s: State, o: Obj): [State, number] {
  const id = s.objs.length;
  return [{ ...s, objs: [...s.objs, o] }, id];
}

/** Adds a file with no descriptor yet (refs 0); returns the new state and its id. */
export function addFile(s: State, kind: FileKind, objId: number): [State, FileId] {
  const id = s.files.length;
  return [{ ...s, files: [...s.files, { kind, obj: objId, refs: 0, watchers: [] }] }, id];
}
