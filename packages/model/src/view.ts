// The state as people (and `epl explain --state --json`) read it: names, file ids, plain
// numbers and flag words, no internal indexes.
import { errnoName, formatEpollFlags } from '@epl/program';
import { length } from './bytes';
import { itemsOf } from './epoll';
import { pipeQueued } from './pipe';
import { CounterObj, EpollObj, File, keyFd, keyFile, PipeObj, SockObj, State } from './state';

export interface FdView {
  /** The name as the script writes it. */
  readonly name: string;
  /** The descriptor number, counted from the scenario's first one (the real numbers are the kernel's). */
  readonly fd: number;
  /** `file#N`. */
  readonly file: string;
}

export interface RegistrationView {
  readonly file: string;
  /** The descriptor number of the key, counted like FdView.fd. */
  readonly fd: number;
  /** The name the registration was made through. */
  readonly name: string;
  /** The mask as the kernel keeps it (ERR|HUP added; ONESHOT items lose their events when they fire). */
  readonly events: string;
  /** The name data.u64 stands for. */
  readonly data: string;
  readonly armed: boolean;
  /** On the ready list now. */
  readonly ready: boolean;
}

export interface FileView {
  readonly file: string;
  readonly kind: string;
  /** How many descriptors refer to it. */
  readonly open: number;
  /** pipe, socket: bytes waiting to be read (a range "lo-hi" when not known exactly). */
  readonly queued?: number | string;
  /** pipe: page slots in use (of 16). */
  readonly slots?: number;
  /** eventfd: the counter. */
  readonly counter?: string;
  /** socket: TCP state (unix: ESTABLISHED or CLOSE). */
  readonly state?: string;
  /** socket: RD, WR, RDWR or none. */
  readonly shutdown?: string;
  /** socket: the pending error (sk_err). */
  readonly error?: string;
  /** listener: connections waiting to be accepted. */
  readonly acceptQueue?: number;
  /** socket: the peer's file (or `gone`). */
  readonly peer?: string;
  /** TCP: bytes Nagle's rule holds back. */
  readonly held?: number;
  /** TCP: a pure ACK held by the delayed-ACK timer. */
  readonly owesAck?: boolean;
  /** epoll: its registrations, in the order they were made. */
  readonly interest?: readonly RegistrationView[];
  /** epoll: the ready list, in order, as `file#N/fd`. */
  readonly readyList?: readonly string[];
}

export interface StateView {
  readonly fds: readonly FdView[];
  readonly files: readonly FileView[];
  /** TCP sockets that outlive their file (closing, TIME_WAIT), by creator name. */
  readonly orphans: readonly { readonly name: string; readonly state: string }[];
}

const SHUT = ['none', 'RD', 'WR', 'RDWR'];

export function stateView(s: State, names: readonly string[]): StateView {
  const fds: FdView[] = [];
  s.slotFd.forEach((fd, slot) => {
    const f = fd >= 0 && fd < s.fdFile.length ? s.fdFile[fd] : -1;
    if (f >= 0 && holder(s, fd) === slot) fds.push({ name: names[slot] ?? `#${slot}`, fd, file: `file#${f}` });
  });
  const files: FileView[] = [];
  s.files.forEach((f, id) => {
    if (f) files.push(fileView(s, id, f, names));
  });
  const orphans: { name: string; state: string }[] = [];
  for (const o of s.objs)
    if (o && o.kind === 'sock' && o.proto === 'tcp' && o.file < 0 && o.state !== 'LISTEN')
      orphans.push({ name: names[o.creator] ?? 'listener', state: o.state });
  return { fds, files, orphans };
}

/** The name that holds a number now: the last one bound to it. */
function holder(s: State, fd: number): number {
  for (let i = s.slotFd.length - 1; i >= 0; i--) if (s.slotFd[i] === fd) return i;
  return -1;
}

function fileView(s: State, id: number, f: File, names: readonly string[]): FileView {
  const base = { file: `file#${id}`, open: f.refs };
  const o = s.objs[f.obj];
  switch (f.kind) {
    case 'pipe-r':
    case 'pipe-w': {
      const p = o as PipeObj;
      return { ...base, kind: f.kind === 'pipe-r' ? 'pipe read end' : 'pipe write end', queued: pipeQueued(p), slots: p.bufs.length };
    }
    case 'eventfd':
      return { ...base, kind: 'eventfd', counter: (o as CounterObj).count.toString() };
    case 'epoll': {
      const ep = o as EpollObj;
      return {
        ...base,
        kind: 'epoll',
        interest: itemsOf(s, id).map((it) => ({
          file: `file#${it.file}`,
          fd: it.fd,
          name: it.name,
          events: formatEpollFlags(it.events),
          data: names[it.data] ?? `#${it.data}`,
          armed: it.armed,
          ready: it.ready,
        })),
        readyList: ep.ready.map((k) => `file#${keyFile(k)}/${keyFd(k)}`),
      };
    }
    case 'socket': {
      const so = o as SockObj;
      const q = length(so.rcv);
      const peer = so.peer >= 0 ? (s.objs[so.peer] as SockObj | null) : null;
      return {
        ...base,
        kind: so.proto === 'unix' ? 'unix stream socket' : so.state === 'LISTEN' ? 'tcp listener' : `tcp socket (IPv${so.af})`,
        queued: q.lo === q.hi ? q.lo : `${q.lo}-${q.hi}`,
        state: so.state,
        shutdown: SHUT[so.shutdown],
        ...(so.err ? { error: errnoName(so.err) } : {}),
        ...(so.state === 'LISTEN' ? { acceptQueue: so.acceptQueue.length } : {}),
        ...(so.peer >= 0 ? { peer: peer && peer.file >= 0 ? `file#${peer.file}` : 'gone' } : {}),
        ...(so.proto === 'tcp' ? { held: length(so.held).lo, owesAck: so.owesAck } : {}),
      };
    }
  }
}
