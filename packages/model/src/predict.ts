// predict(): runs a Program through the model, one op at a time, the way the executor runs it
// on the kernel (packages/executor/README.md: which syscalls each op makes, the EBADF rule, the
// dup2 rule), and records per step what the kernel will answer and why.
import { FAMILIES, OP_WORDS, opSpec, stringOperand } from '@epl/program';
import type { Family, OpName, ProgramCode } from '@epl/program';
import { counterCreate, counterDrain, counterFill, counterRead, counterWrite } from './eventfd';
import { deliverWakes, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, epollCreate, epollCtl, epollWait, Reported } from './epoll';
import { bindSlot, closeFd, dup2Fd, dupFd, installNew, live, room } from './fd-table';
import { E, fail, OK, Outcome, Step } from './outcome';
import { Payload, pipeCreate, pipeDrain, pipeFill, pipeRead, pipeWrite } from './pipe';
import * as sock from './sock';
import { emptyState, file, FileId, State } from './state';
import { stateView, StateView } from './view';
import { defineReasons, isBulk, PredictedSegment, RawBulk, RawItem, RawSegment, Reason, StepLog, WireItem } from './why';
import { attribute } from './tcp';

defineReasons({
  'op.not-socket': (o) => `${o.name} is not a socket: ENOTSOCK`,
  'op.wrong-kind': (o) => `${o.name} is ${o.kind}: ${o.op} on it is ${o.errno}`,
  'op.sleep': (o) => `sleep ${o.ms} ms: nothing changes unless a timer fires meanwhile`,
  'op.emfile': () => `no room for more descriptors: EMFILE`,
});

/** The model's account of one step. */
export interface StepPrediction {
  /** The op's mnemonic (`connect_new`, `write_n`, … as in @epl/program's OPS). */
  readonly op: OpName;
  /** What the call returns: value or errno; for read/drain the bytes; a range where the count is not known exactly. */
  readonly result: Outcome;
  /** `wait`: the ready list, as the kernel returns it (data slot and events, in order). */
  readonly ready?: readonly Reported[];
  /** Segments this step puts on loopback, in order, each with its rule. */
  readonly wire: readonly WireItem[];
  /** Pure ACKs held by the delayed-ACK timer that may land during this step (scheduled before it or by it). */
  readonly mayLand: readonly PredictedSegment[];
  /** Why, as data. */
  readonly why: readonly Reason[];
  /** The objects after the step (built when read). */
  readonly state: StateView;
}

export interface Prediction {
  readonly family: Family;
  readonly steps: readonly StepPrediction[];
}

export interface PredictOptions {
  /**
   * Test hook: rules to flip, by id, to prove that a disagreement is caught. The only one is
   * `epoll.lt-requeue` (level-triggered items are not put back on the ready list).
   */
  readonly flip?: readonly string[];
}

/** A Program as predict() takes it: the executor's part plus the names of its slots. */
export type ModelProgram = ProgramCode & { readonly names: readonly string[] };

/** Predicts every step of a Program run with `family` (what `pair` takes). Needs no kernel. */
export function predict(program: ModelProgram, family: Family = 'tcp', options: PredictOptions = {}): Prediction {
  if (!FAMILIES.includes(family)) throw new TypeError(`unknown family ${String(family)}`);
  const n = program.code.length / OP_WORDS;
  let s = emptyState(program.slotCount);
  const steps: StepPrediction[] = [];
  const flips = new Set(options.flip ?? []);
  for (let i = 0; i < n; i++) {
    const spec = opSpec(program.code[i * OP_WORDS]);
    if (!spec) break; // the executor refuses the Program from here on
    const log = new StepLog(program.names);
    const before = sock.pendingAcks(s);
    const out = runOp(s, log, program, i, spec.name as OpName, family, flips);
    const after = deliverWakes(out.s, log);
    s = after;
    steps.push(stepOf(spec.name as OpName, out, log, before, after, program.names));
  }
  return { family, steps };
}

function stepOf(op: OpName, out: Step & { ready?: readonly Reported[] }, log: StepLog, before: readonly RawSegment[], after: State, names: readonly string[]): StepPrediction {
  let view: StateView | undefined;
  const wire = attributeAll(after, log.wire);
  const mayLand = mergeAcks(attributeAll(after, before) as PredictedSegment[], attributeAll(after, sock.pendingAcks(after)) as PredictedSegment[], wire);
  return {
    op,
    result: out.r,
    ...(out.ready ? { ready: out.ready } : {}),
    wire,
    mayLand,
    why: log.why,
    get state(): StateView {
      return (view ??= stateView(after, names));
    },
  };
}

/** The executor's attribution of a step's segments, with the endpoint table as it is at the end of the step; strangers are dropped. */
function attributeAll(s: State, items: readonly RawItem[]): WireItem[] {
  const out: WireItem[] = [];
  for (const w of items) {
    const src = attribute(s, w.from, w.to);
    const dst = attribute(s, w.to, w.from);
    if (src < 0 || dst < 0) continue;
    if (isBulk(w)) out.push({ src, dst, bytes: w.bytes, rule: w.rule });
    else if (!isBulkRaw(w)) out.push({ src, dst, flags: w.flags, len: w.len, rule: w.rule, timing: w.timing });
  }
  return out;
}

function isBulkRaw(w: RawItem): w is RawBulk {
  return (w as RawBulk).bytes !== undefined;
}

/** The pure ACKs that may land in a step: pending before it, or scheduled by it and not sent. */
function mergeAcks(before: readonly PredictedSegment[], after: readonly PredictedSegment[], wire: readonly WireItem[]): PredictedSegment[] {
  const out = [...before];
  for (const a of after) if (!out.some((b) => b.src === a.src && b.dst === a.dst)) out.push(a);
  for (const w of wire) if (!isBulk(w) && w.timing === 'delayed' && !out.some((b) => b.src === w.src && b.dst === w.dst)) out.push(w);
  return out;
}

const MIB = 1 << 20;

function runOp(s: State, log: StepLog, p: ModelProgram, i: number, op: OpName, family: Family, flips: ReadonlySet<string>): Step & { ready?: readonly Reported[] } {
  const w = (k: number): number => p.code[i * OP_WORDS + k];
  const name = (slot: number): string => log.name(slot);
  switch (op) {
    case 'tcp':
      return sock.tcpPair(s, log, w(1), w(2), 4);
    case 'tcp6':
      return sock.tcpPair(s, log, w(1), w(2), 6);
    case 'unix':
      return sock.unixPair(s, log, w(1), w(2));
    case 'pair':
      return family === 'unix' ? sock.unixPair(s, log, w(1), w(2)) : sock.tcpPair(s, log, w(1), w(2), family === 'tcp6' ? 6 : 4);
    case 'socket':
      return sock.bareSocket(s, log, w(1));
    case 'pipe': {
      if (!room(s, log, 2)) return failBind(s, E.EMFILE, w(1), w(2));
      const [s1, r, wr] = pipeCreate(s);
      return { s: installNew(installNew(s1, log, w(1), r), log, w(2), wr), r: OK };
    }
    case 'eventfd': {
      if (!room(s, log, 1)) return failBind(s, E.EMFILE, w(1));
      const [s1, f] = counterCreate(s, w(2));
      return { s: installNew(s1, log, w(1), f), r: OK };
    }
    case 'epoll': {
      if (!room(s, log, 1)) return failBind(s, E.EMFILE, w(1));
      const [s1, f] = epollCreate(s);
      return { s: installNew(s1, log, w(1), f), r: OK };
    }
    case 'listen':
      return sock.listenSocket(s, log, w(1));
    case 'connect_new': {
      const l = live(s, log, w(2));
      if (l < 0) return failBind(s, E.EBADF, w(1));
      return sock.connectNew(s, log, w(1), l, name(w(2)));
    }
    case 'connect': {
      const a = live(s, log, w(1));
      if (a < 0) return { s, r: fail(E.EBADF) };
      const l = live(s, log, w(2));
      if (l < 0) return { s, r: fail(E.EBADF) };
      return sock.connectExisting(s, log, a, l, name(w(1)), name(w(2)));
    }
    case 'accept': {
      const l = live(s, log, w(1));
      if (l < 0) return failBind(s, E.EBADF, w(2));
      return sock.accept(s, log, l, w(2), name(w(1)));
    }
    case 'dup':
      return dupFd(s, log, w(1), w(2));
    case 'dup2':
      return dup2Fd(s, log, w(1), w(2));
    case 'add':
    case 'mod':
    case 'del': {
      const e = live(s, log, w(1));
      if (e < 0) return { s, r: fail(E.EBADF) };
      const t = live(s, log, w(2));
      if (t < 0) return { s, r: fail(E.EBADF) };
      const ctl = op === 'add' ? EPOLL_CTL_ADD : op === 'mod' ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
      const events = op === 'del' ? 0 : w(3);
      const data = op === 'del' ? -1 : w(4);
      return epollCtl(s, log, ctl, e, t, s.slotFd[w(2)], events, data, { ep: name(w(1)), target: name(w(2)), data: op === 'del' ? '' : name(data) });
    }
    case 'wait': {
      const e = live(s, log, w(1));
      if (e < 0) return { s, r: fail(E.EBADF) };
      return epollWait(s, log, e, w(2), { ep: name(w(1)), ltRequeue: !flips.has('epoll.lt-requeue') });
    }
    case 'close': {
      const f = live(s, log, w(1));
      if (f < 0) return { s, r: fail(E.EBADF) };
      return { s: closeFd(s, log, s.slotFd[w(1)], name(w(1))), r: OK };
    }
    case 'shutdown': {
      const f = live(s, log, w(1));
      if (f < 0) return { s, r: fail(E.EBADF) };
      if (!isSocket(s, f)) return notSocket(s, log, name(w(1)));
      return sock.shutdown(s, log, f, w(2), name(w(1)));
    }
    case 'write':
      return write(s, log, w(1), stringOperand(p, i, 2));
    case 'write_n':
      return write(s, log, w(1), w(2));
    case 'send_oob': {
      const f = live(s, log, w(1));
      if (f < 0) return { s, r: fail(E.EBADF) };
      if (!isSocket(s, f)) return notSocket(s, log, name(w(1)));
      return sock.send(s, log, f, name(w(1)), stringOperand(p, i, 2), true);
    }
    case 'read':
      return read(s, log, w(1), w(2));
    case 'fill': {
      const f = live(s, log, w(1));
      if (f < 0) return { s, r: fail(E.EBADF) };
      const k = file(s, f).kind;
      if (k === 'pipe-w') return pipeFill(s, log, f, name(w(1)));
      if (k === 'eventfd') return counterFill(s, log, name(w(1)));
      if (k === 'socket') return sock.fill(s, log, f, name(w(1)));
      return wrongKind(s, log, name(w(1)), k, 'write', k === 'pipe-r' ? E.EBADF : E.EINVAL);
    }
    case 'drain': {
      const f = live(s, log, w(1));
      if (f < 0) return { s, r: fail(E.EBADF) };
      const k = file(s, f).kind;
      if (k === 'pipe-r') return pipeDrain(s, log, f, name(w(1)));
      if (k === 'eventfd') return counterDrain(s, log, f, name(w(1)));
      if (k === 'socket') return sock.drain(s, log, f, name(w(1)));
      return wrongKind(s, log, name(w(1)), k, 'read', k === 'pipe-w' ? E.EBADF : E.EINVAL);
    }
    case 'linger': {
      const f = live(s, log, w(1));
      if (f < 0) return { s, r: fail(E.EBADF) };
      if (!isSocket(s, f)) return notSocket(s, log, name(w(1)));
      return sock.linger(s, log, f, w(2), name(w(1)));
    }
    case 'sleep':
      log.because('op.sleep', { ms: w(1) });
      return sock.sleep(s, log, w(1));
  }
}

function isSocket(s: State, f: FileId): boolean {
  return file(s, f).kind === 'socket';
}

function notSocket(s: State, log: StepLog, name: string): Step {
  log.because('op.not-socket', { name });
  return { s, r: fail(E.ENOTSOCK) };
}

const KIND_TEXT: Record<string, string> = {
  'pipe-r': 'the read end of a pipe',
  'pipe-w': 'the write end of a pipe',
  epoll: 'an epoll instance',
  eventfd: 'an eventfd',
  socket: 'a socket',
};

function wrongKind(s: State, log: StepLog, name: string, kind: string, opText: string, errno: number): Step {
  log.because('op.wrong-kind', { name, kind: KIND_TEXT[kind] ?? kind, op: opText, errno: errno === E.EBADF ? 'EBADF (not open for it)' : 'EINVAL (it has no such operation)' });
  return { s, r: fail(errno) };
}

/** A creating op that failed: its names are bound to no number. */
function failBind(s: State, errno: number, ...slots: number[]): Step {
  let cur = s;
  for (const slot of slots) cur = bindSlot(cur, slot, -1);
  return { s: cur, r: fail(errno) };
}

function write(s: State, log: StepLog, slot: number, data: Payload): Step {
  const f = live(s, log, slot);
  if (f < 0) return { s, r: fail(E.EBADF) };
  const name = log.name(slot);
  const k = file(s, f).kind;
  switch (k) {
    case 'pipe-w':
      return pipeWrite(s, log, f, name, data);
    case 'eventfd':
      return counterWrite(s, log, f, name, data);
    case 'socket':
      return sock.send(s, log, f, name, data, false);
    case 'pipe-r':
      return wrongKind(s, log, name, k, 'write', E.EBADF);
    case 'epoll':
      return wrongKind(s, log, name, k, 'write', E.EINVAL);
  }
}

function read(s: State, log: StepLog, slot: number, n: number): Step {
  const f = live(s, log, slot);
  if (f < 0) return { s, r: fail(E.EBADF) };
  const name = log.name(slot);
  const k = file(s, f).kind;
  switch (k) {
    case 'pipe-r':
      return pipeRead(s, log, f, name, n);
    case 'eventfd':
      return counterRead(s, log, f, name, n);
    case 'socket':
      return sock.recv(s, log, f, name, n);
    case 'pipe-w':
      return wrongKind(s, log, name, k, 'read', E.EBADF);
    case 'epoll':
      return wrongKind(s, log, name, k, 'read', E.EINVAL);
  }
}

export { MIB };
export type { Outcome };
