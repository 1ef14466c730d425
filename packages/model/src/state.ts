// The model's objects: the process's descriptor table, the open file descriptions it points to,
// and what lies under them (pipes, sockets, counters, epoll instances).
//
// A State is a snapshot: it is never changed once a step has produced it, so the state after
// every step is kept. A step's rules write the next state through a Draft, which copies an
// object (or a table) the first time the step writes to it and shares everything else with the
// state before.
import type { Chunks } from './bytes';

/** A file id (`file#N` in the state view): one open file description. */
export type FileId = number;

/** An epoll item's key, (file, fd number), as one number: file * 65536 + fd. */
export type ItemKey = number;

export function itemKey(file: FileId, fd: number): ItemKey {
  return file * 65536 + fd;
}

export function keyFile(k: ItemKey): FileId {
  return Math.floor(k / 65536);
}

export function keyFd(k: ItemKey): number {
  return k % 65536;
}

/** A registration in an epoll's interest list. Two registrations of one file under two numbers are two items. */
export interface Item {
  readonly key: ItemKey;
  /** The mask as the kernel keeps it: what was asked, plus ERR|HUP, plus the private bits (ET, ONESHOT, …). */
  readonly events: number;
  /** The slot whose index is data.u64 (what a wait reports). */
  readonly data: number;
  /** The name the registration was made through (for the reasons and the view). */
  readonly name: string;
}

/** An epoll item waiting on a file's wait queue. */
export interface Watcher {
  /** The epoll's file. */
  readonly ep: FileId;
  readonly key: ItemKey;
  readonly exclusive: boolean;
}

export interface GoneItem {
  readonly key: ItemKey;
  readonly data: number;
  readonly name: string;
}

export interface EpollObj {
  readonly kind: 'epoll';
  /** The interest list, in the order the items were added. */
  items: Item[];
  /** The ready list (rdllist), in order. */
  ready: ItemKey[];
  /** Registrations that left when their file was closed everywhere (for the reasons of later waits). */
  gone: GoneItem[];
}

/** One page buffer of a pipe: `off` bytes of the page already read, `len` bytes waiting. */
export interface PipeBuf {
  readonly off: number;
  readonly len: number;
}

export interface PipeObj {
  readonly kind: 'pipe';
  bufs: PipeBuf[];
  data: Chunks;
  readers: number;
  writers: number;
  /** pipe_poll sets it on the first poll: from then on every write wakes the readers (fs/pipe.c). */
  pollUsage: boolean;
}

export interface CounterObj {
  readonly kind: 'eventfd';
  /** The 64-bit counter. */
  count: bigint;
}

/** TCP states (include/net/tcp_states.h), as the model tracks them. */
export type TcpState = 'CLOSE' | 'LISTEN' | 'SYN_SENT' | 'ESTABLISHED' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT';

/** sk_shutdown bits. */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/** struct socket's state (SS_*): what connect() remembers between calls. */
export type SockState = 'unconnected' | 'connecting' | 'connected' | 'disconnecting';

export interface UrgState {
  /** The urgent byte. */
  readonly byte: number;
  /** Offset of the urgent byte from the head of the stream still to read. */
  readonly at: number;
}

export interface SockObj {
  readonly kind: 'sock';
  proto: 'tcp' | 'unix';
  /** 4 or 6 for TCP (the address family), 0 for unix. */
  af: 0 | 4 | 6;
  state: TcpState;
  ss: SockState;
  shutdown: number;
  /** sk_err: the pending error (0 none), cleared when a call reports it. */
  err: number;
  /** Bytes waiting to be read; for unix one chunk per skb. */
  rcv: Chunks;
  /** Unix: the truesize of each skb in `rcv` (its writer's queued memory). */
  skbs: number[];
  /** The connected peer (object id), -1 none. */
  peer: number;
  /** Slot of the name that created the socket: segments are attributed to it. */
  creator: number;
  /** The file of this socket, -1 once closed (an orphan TCP socket lives on through FIN_WAIT, TIME_WAIT). */
  file: FileId;
  /** TCP: local and peer address (see tcp.ts `address`), -1 none. */
  local: number;
  remote: number;
  /** Listener: children waiting in the accept queue, oldest first. A child: its listener (-1 otherwise). */
  acceptQueue: number[];
  listener: number;
  /** SO_LINGER {1, 0}: close sends RST. */
  linger0: boolean;
  /** SO_LINGER {1, S>0}: close waits for the FIN to be acknowledged. */
  lingerWait: boolean;
  /** Urgent data (MSG_OOB): TCP urg_data/urg_seq (TCP_URG_VALID), unix oob_skb. */
  urg: UrgState | null;
  /** TCP: bytes written and not sent: held back by Nagle's rule, or (bulk) waiting for the peer's window. */
  held: Chunks;
  /** TCP: the peer's window is closed: what is written waits (after a fill). */
  windowShut: boolean;
  /** TCP: unacknowledged bulk data fills the peer's whole window: what is written (a FIN too) waits for the peer's next ACK. */
  wndFull: boolean;
  /** TCP: a FIN waits behind a full window (wndFull). */
  finWaits: boolean;
  /** TCP: the offset in `held` of an urgent byte waiting with it, -1 if none. */
  heldUrg: number;
  /** TCP: a data segment smaller than the MSS was sent and is not acknowledged yet (Minshall's Nagle). */
  smallOut: boolean;
  /** TCP urgent mode (tcp_urg_mode): urgent data sent and not acknowledged; Nagle's rule is off meanwhile. */
  urgOut: boolean;
  /** TCP: our FIN is queued or sent. */
  finSent: boolean;
  /** TCP: our FIN was acknowledged. */
  finAcked: boolean;
  /** TCP: an ACK this socket owes its peer, held by the delayed-ACK timer. */
  owesAck: boolean;
  /** TCP: the largest window the peer advertised (max_window), as far as the model knows; 0 once autotuning made it unknown. */
  peerWnd: number;
  /** TCP pingpong mode (inet_csk_in_pingpong_mode): ACKs wait for data to ride on. */
  pingpong: boolean;
  /** TCP quick ACKs left (icsk_ack.quick); -1 before the first data segment arrives (ato 0). */
  quick: number;
  /** TCP: icsk_ack.pending ICSK_ACK_PUSHED (1) / PUSHED2 (2) since the last ACK sent. */
  pushed: number;
  /** TCP: more than one full segment received and not acknowledged (a bulk write): the next read ACKs. */
  bigUnacked: boolean;
  /** TCP: the peer's FIN was received (SOCK_DONE). */
  finRcvd: boolean;
  /** SOCK_NOSPACE: a poll or a write found it full, so freed space wakes writers (OUT). */
  nospace: boolean;
  /** The send side was filled: it is not writable until the peer drains. */
  sndFull: boolean;
  /** After a fill, the peer read a little: a small write may fit again (or not). */
  peerRead: boolean;
  /** A bulk transfer happened on this connection: ACK timing is not predicted one by one from here on. */
  bulk: boolean;
  /** TCP: a timewait socket (TIME_WAIT, or FIN_WAIT2 after close). */
  tw: boolean;
}

export type Obj = EpollObj | PipeObj | CounterObj | SockObj;

export type FileKind = 'epoll' | 'pipe-r' | 'pipe-w' | 'eventfd' | 'socket';

/** An open file description. */
export interface File {
  readonly kind: FileKind;
  /** The object under it (index into State.objs). */
  readonly obj: number;
  /** Descriptors that refer to it (the open count). */
  refs: number;
  /** Epoll items waiting on it (its wait queue), in wake-up order. */
  watchers: Watcher[];
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
  /** The model's next port number. */
  readonly ports: number;
}

/** The `own` bits when every table is the draft's own. */
const ALL_TABLES = 1 | 2 | 4 | 8 | 16;

export function emptyState(slots: number): State {
  return { slotFd: new Array<number>(slots).fill(-1), fdFile: [], files: [], objs: [], eps: [], ports: 1 };
}

/**
 * The next state while a step builds it. Reads see what the step wrote so far; the first write
 * to a table or an object copies it, so the state before the step never changes.
 */
export class Draft {
  slotFd: number[];
  fdFile: number[];
  files: (File | null)[];
  objs: (Obj | null)[];
  eps: Endpoint[];
  ports: number;
  private own = 0; // bit set: which tables are this draft's own copies
  // Objects and files this draft copied (or made): written in place from then on.
  private ownObjs: number[] | null = null;
  private ownFiles: number[] | null = null;

  /**
   * @param base the state before the step
   * @param inPlace write into `base` itself, copying nothing: for a run that keeps no states
   *   (then `base` must be this run's own, as a fresh emptyState() is)
   */
  constructor(
    base: State,
    private readonly inPlace = false,
  ) {
    this.slotFd = base.slotFd as number[];
    this.fdFile = base.fdFile as number[];
    this.files = base.files as (File | null)[];
    this.objs = base.objs as (Obj | null)[];
    this.eps = base.eps as Endpoint[];
    this.ports = base.ports;
    if (inPlace) this.own = ALL_TABLES;
  }

  /** The state the draft holds now. In place, one object is kept up to date instead of a new one each time. */
  finish(): State {
    if (!this.inPlace) return { slotFd: this.slotFd, fdFile: this.fdFile, files: this.files, objs: this.objs, eps: this.eps, ports: this.ports };
    const v = (this.live ??= { slotFd: this.slotFd, fdFile: this.fdFile, files: this.files, objs: this.objs, eps: this.eps, ports: this.ports });
    v.ports = this.ports;
    return v;
  }

  private live: { -readonly [K in keyof State]: State[K] } | undefined = undefined;

  // Reads ----------------------------------------------------------------------------------

  file(id: FileId): File {
    const f = this.files[id];
    if (!f) throw new Error(`model: file#${id} is gone`);
    return f;
  }

  obj(id: number): Obj {
    const o = this.objs[id];
    if (!o) throw new Error(`model: object ${id} is gone`);
    return o;
  }

  /** Object `id`, which must be of `kind`. */
  typed<K extends Obj['kind']>(id: number, kind: K): Extract<Obj, { kind: K }> {
    const o = this.obj(id);
    if (o.kind !== kind) throw new Error(`model: object ${id} is ${o.kind}, not ${kind}`);
    return o as Extract<Obj, { kind: K }>;
  }

  sock(id: number): SockObj {
    return this.typed(id, 'sock');
  }

  epoll(id: number): EpollObj {
    return this.typed(id, 'epoll');
  }

  pipe(id: number): PipeObj {
    return this.typed(id, 'pipe');
  }

  counter(id: number): CounterObj {
    return this.typed(id, 'eventfd');
  }

  /** A socket object, or null when it is gone (or is not one). */
  sockOrNull(id: number): SockObj | null {
    const o = id >= 0 ? this.objs[id] : null;
    return o && o.kind === 'sock' ? o : null;
  }

  /** The file a number refers to, or -1. */
  fileAt(fd: number): FileId {
    return fd >= 0 && fd < this.fdFile.length ? this.fdFile[fd] : -1;
  }

  // Writes ---------------------------------------------------------------------------------

  /** A writable copy of object `id` (made once per step). */
  objW(id: number): Obj {
    const o = this.obj(id);
    if (this.inPlace || this.ownObjs?.includes(id)) return o;
    const copy = { ...o };
    if (copy.kind === 'epoll') {
      copy.items = copy.items.slice();
      copy.ready = copy.ready.slice();
      copy.gone = copy.gone.slice();
    } else if (copy.kind === 'pipe') copy.bufs = copy.bufs.slice();
    else if (copy.kind === 'sock') copy.acceptQueue = copy.acceptQueue.slice();
    this.tableObjs()[id] = copy;
    (this.ownObjs ??= []).push(id);
    return copy;
  }

  /** A writable copy of object `id`, which must be of `kind`. */
  typedW<K extends Obj['kind']>(id: number, kind: K): Extract<Obj, { kind: K }> {
    const o = this.objW(id);
    if (o.kind !== kind) throw new Error(`model: object ${id} is ${o.kind}, not ${kind}`);
    return o as Extract<Obj, { kind: K }>;
  }

  sockW(id: number): SockObj {
    return this.typedW(id, 'sock');
  }

  epollW(id: number): EpollObj {
    return this.typedW(id, 'epoll');
  }

  pipeW(id: number): PipeObj {
    return this.typedW(id, 'pipe');
  }

  counterW(id: number): CounterObj {
    return this.typedW(id, 'eventfd');
  }

  /** A writable copy of file `id` (its watcher list copied too). */
  fileW(id: FileId): File {
    const f = this.file(id);
    if (this.inPlace || this.ownFiles?.includes(id)) return f;
    const copy: File = { ...f, watchers: f.watchers.slice() };
    this.tableFiles()[id] = copy;
    (this.ownFiles ??= []).push(id);
    return copy;
  }

  addObj(o: Obj): number {
    const t = this.tableObjs();
    t.push(o);
    if (!this.inPlace) (this.ownObjs ??= []).push(t.length - 1);
    return t.length - 1;
  }

  removeObj(id: number): void {
    this.tableObjs()[id] = null;
  }

  /** A new file with no descriptor yet (refs 0). */
  addFile(kind: FileKind, objId: number): FileId {
    const t = this.tableFiles();
    t.push({ kind, obj: objId, refs: 0, watchers: [] });
    if (!this.inPlace) (this.ownFiles ??= []).push(t.length - 1);
    return t.length - 1;
  }

  removeFile(id: FileId): void {
    this.tableFiles()[id] = null;
  }

  setFd(fd: number, f: FileId): void {
    if (!(this.own & 2)) {
      this.fdFile = this.fdFile.slice();
      this.own |= 2;
    }
    while (this.fdFile.length <= fd) this.fdFile.push(-1);
    this.fdFile[fd] = f;
  }

  setSlot(slot: number, fd: number): void {
    if (!(this.own & 1)) {
      this.slotFd = this.slotFd.slice();
      this.own |= 1;
    }
    this.slotFd[slot] = fd;
  }

  addEndpoint(slot: number, local: number, peer: number): void {
    if (!(this.own & 16)) {
      this.eps = this.eps.slice();
      this.own |= 16;
    }
    this.eps.push({ slot, local, peer });
  }

  nextPort(): number {
    return this.ports++;
  }

  private tableObjs(): (Obj | null)[] {
    if (!(this.own & 4)) {
      this.objs = this.objs.slice();
      this.own |= 4;
    }
    return this.objs;
  }

  private tableFiles(): (File | null)[] {
    if (!(this.own & 8)) {
      this.files = this.files.slice();
      this.own |= 8;
    }
    return this.files;
  }
}
