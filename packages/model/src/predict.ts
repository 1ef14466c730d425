// predict(): runs a Program through the model, one op at a time, the way the executor runs it
// on the kernel (packages/executor/README.md: which syscalls each op makes, the EBADF rule, the
// dup2 rule), and records per step what the kernel will answer and why.
import * as program from '@epl/program';
import type { Family, OpName, ProgramCode } from '@epl/program';
import { counterCreate, counterDrain, counterFill, counterRead, counterWrite } from './eventfd';
import { deliverWakes, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, epollCreate, epollCtl, epollWait, explainStale, Reported } from './epoll';
import { failBind, installNew, room } from './fd-install';
import { closeFd, dup2Fd, dupFd, live } from './fd-table';
import { E, fail, OK, Outcome, outcomeJson } from './outcome';
import { Payload, pipeCreate, pipeDrain, pipeFill, pipeRead, pipeWrite } from './pipe';
import * as sock from './sock';
import { Draft, emptyState, FileId, State } from './state';
import { attribute } from './tcp';
import { stateView, StateView } from './view';
import { defineReasons, isBulk, PredictedSegment, RawItem, Reason, StepLog, WireItem } from './why';

defineReasons({
  'op.wrong-kind': ['name kind op errno', (o) => `${o.name} is ${o.kind}: ${o.op} on it is ${o.errno}`],
  'op.sleep': ['ms', (o) => `sleep ${o.ms} ms: nothing changes unless a timer fires meanwhile`],
  'wait.if-acks-land': [
    'acks answer',
    (o) => `if the delayed ACK(s) owed (${o.acks}) land before this wait (their timer fires mid-run), their wake-ups change its answer: ${o.answer}`,
  ],
});

/** The model's account of one step. */
export interface StepPrediction {
  /** The op's mnemonic (`connect_new`, `write_n`, … as in @epl/program's OPS). */
  readonly op: OpName;
  /** What the call returns: value or errno; for read/drain the bytes; a range or alternatives where the model cannot know exactly. */
  readonly result: Outcome;
  /** `wait`: the ready list, as the kernel returns it (data slot and events, in order). */
  readonly ready?: readonly Reported[];
  /**
   * `wait`, when delayed ACKs are owed before it and their landing would change its answer:
   * the answer if they land first (their timer fired mid-run). Either answer is the kernel's.
   */
  readonly ifAcksLand?: WaitAnswer;
  /** Segments this step puts on loopback, in order, each with its rule. */
  readonly wire: readonly WireItem[];
  /** Pure ACKs held by delayed-ACK timers (scheduled before this step or by it) that may land during it. */
  readonly mayLand: readonly PredictedSegment[];
  /** Why, as data. */
  readonly why: readonly Reason[];
  /** The objects after the step (built when read). */
  readonly state: StateView;
}

export interface Prediction {
  readonly family: Family;
  readonly steps: readonly StepPrediction[];
  /** The model's state after each step (index i: after step i), for tools that look deeper than the view; not part of its JSON. */
  readonly states: readonly State[];
}

/** What a wait answers: its result and ready list. */
export interface WaitAnswer {
  readonly result: Outcome;
  readonly ready: readonly Reported[];
}

/** A Program as predict() takes it: the executor's part plus the names of its slots. */
export type ModelProgram = ProgramCode & { readonly names: readonly string[] };

const NO_ACKS: readonly PredictedSegment[] = [];
// Module copies: an imported binding is a getter on every use, and predict() is a hot loop.
const { FAMILIES, OP_WORDS, opSpec, stringOperand, formatEpollFlags, formatTcpFlags, errnoName } = program;

export interface PredictOptions {
  /**
   * Keep reasons and the state after every step (default true). False is a lean run for an
   * oracle that only compares answers (results, ready lists, wire): same rules, no reasons, no
   * `state` (reading it throws), several times faster.
   */
  readonly explain?: boolean;
  /**
   * Test hook: rules to flip, by id, to prove that a disagreement is caught. The only one is
   * `epoll.lt-requeue` (level-triggered items are not put back on the ready list).
   */
  readonly flip?: readonly string[];
}

/** Predicts every step of a Program run with `family` (what `pair` takes). Needs no kernel. */
export function predict(program: ModelProgram, family: Family = 'tcp', options: PredictOptions = {}): Prediction {
  if (!FAMILIES.includes(family)) throw new TypeError(`unknown family ${family}`);
  const explain = options.explain !== false;
  const n = program.code.length / OP_WORDS;
  let s = emptyState(program.slotCount);
  const steps: StepPrediction[] = [];
  const states: State[] = [];
  const ltRequeue = !options.flip?.includes('epoll.lt-requeue');
  let before: readonly PredictedSegment[] = NO_ACKS;
  // A lean run writes one state in place; an explaining one keeps every step's state.
  const lean = explain ? null : new Draft(s, true);
  const leanLog = explain ? null : new StepLog(program.names, false);
  for (let i = 0; i < n; i++) {
    const spec = opSpec(program.code[i * OP_WORDS]);
    if (!spec) break; // the executor refuses the Program from here on
    const op = spec.name as OpName;
    const log = leanLog ?? new StepLog(program.names);
    if (leanLog) leanLog.reset();
    // Before the step runs (a lean draft writes over `s`): the wait's answer if owed ACKs land first.
    const ifLand = op === 'wait' && before.length && sock.owedAcksWake(s) ? waitIfAcksLand(s, program, i, family, ltRequeue) : null;
    const d = lean ?? new Draft(s);
    const r = runOp(d, log, program, i, op, family, ltRequeue);
    deliverWakes(d, log);
    const alt = ifLand && differs(ifLand, r, log.ready ?? NO_READY) ? ifLand : undefined;
    if (alt && explain) log.because('wait.if-acks-land', ackText(before, program.names), answerText(alt, program.names));
    s = d.finish();
    log.final = s;
    const wire = log.wire.length ? attributeAll(s, log.wire) : NO_WIRE;
    // Only segments (or a sleep, which may fire timers) change which ACKs are owed.
    const pending = log.wire.length || op === 'sleep' ? pendingAcks(s) : before;
    steps.push(
      new PredictedStep(
        op,
        r,
        log.ready,
        wire,
        pending === before && !wire.length ? before : mergeAcks(before, pending, wire),
        explain ? log.why : NO_WHY,
        explain ? s : null,
        program.names,
        alt,
      ),
    );
    if (explain) states.push(s);
    before = pending;
  }
  return new PredictionOf(family, steps, states);
}

class PredictionOf implements Prediction {
  constructor(
    readonly family: Family,
    readonly steps: readonly StepPrediction[],
    readonly states: readonly State[],
  ) {}

  toJSON(): Record<string, unknown> {
    return { family: this.family, steps: this.steps };
  }
}

const NO_WIRE: readonly WireItem[] = [];
const NO_WHY: readonly Reason[] = [];

/** One step's prediction; the state view is built when first read (and for JSON). */
class PredictedStep implements StepPrediction {
  private view: StateView | undefined;

  constructor(
    readonly op: OpName,
    readonly result: Outcome,
    readonly ready: readonly Reported[] | undefined,
    readonly wire: readonly WireItem[],
    readonly mayLand: readonly PredictedSegment[],
    readonly why: readonly Reason[],
    private readonly after: State | null,
    private readonly names: readonly string[],
    readonly ifAcksLand?: WaitAnswer,
  ) {}

  get state(): StateView {
    if (!this.after) throw new Error('model: predict() was run with explain: false, which keeps no states');
    return (this.view ??= stateView(this.after, this.names));
  }

  toJSON(): Record<string, unknown> {
    return {
      op: this.op,
      result: outcomeJson(this.result),
      ...(this.ready ? { ready: this.readyJson(this.ready) } : {}),
      ...(this.ifAcksLand ? { ifAcksLand: { result: outcomeJson(this.ifAcksLand.result), ready: this.readyJson(this.ifAcksLand.ready) } } : {}),
      wire: this.wire.map((w) => this.segmentJson(w)),
      mayLand: this.mayLand.map((w) => this.segmentJson(w)),
      why: this.why,
      ...(this.after ? { state: this.state } : {}),
    };
  }

  private readyJson(list: readonly Reported[]): { data: string; events: string }[] {
    return list.map((e) => ({ data: this.name(e.data), events: formatEpollFlags(e.events) }));
  }

  private name(slot: number): string {
    return this.names[slot] ?? `#${slot}`;
  }

  /** A segment in JSON: names for slots, flag letters as the wire expectations write them. */
  private segmentJson(w: WireItem): Record<string, unknown> {
    const ends = { src: this.name(w.src), dst: this.name(w.dst) };
    if (isBulk(w)) return { ...ends, bulk: w.bytes, rule: w.rule, ...(w.rst ? { rst: true } : {}) };
    return { ...ends, flags: formatTcpFlags(w.flags), len: w.len, rule: w.rule, timing: w.timing };
  }
}

/** The executor's attribution of a step's segments, with the endpoint table as it is at the end of the step; strangers are dropped. */
function attributeAll(s: State, items: readonly RawItem[]): WireItem[] {
  const out: WireItem[] = [];
  for (const w of items) {
    const src = attribute(s, w.from, w.to);
    const dst = attribute(s, w.to, w.from);
    if (src < 0 || dst < 0) continue;
    if (isBulk(w)) out.push({ src, dst, bytes: w.bytes, rule: w.rule, ...(w.rst ? { rst: true } : {}) });
    else out.push({ src, dst, flags: w.flags, len: w.len, rule: w.rule, timing: w.timing });
  }
  return out;
}

const NO_READY: readonly Reported[] = [];

/**
 * A wait run on a copy of the state in which every delayed-ACK timer fired first: a scenario
 * slower than the timer (40-200 ms) sees those ACKs land mid-run, and their wake-ups re-queue
 * edge-triggered registrations. Experiment: `pair 4 5`, `add 3 4 OUT|ET`, `shutdown 4 WR` (5's
 * ACK of the FIN waits), …, `sleep 0`, `wait 3`: in 65 of 3000 runs under load the ACK landed
 * during the sleep and the wait reported 4: OUT again.
 */
function waitIfAcksLand(s: State, program: ModelProgram, i: number, family: Family, ltRequeue: boolean): WaitAnswer {
  const d = new Draft(s);
  const log = new StepLog(program.names, false);
  sock.fireOwedAcks(d, log);
  deliverWakes(d, log);
  log.reset();
  const result = runOp(d, log, program, i, 'wait', family, ltRequeue);
  return { result, ready: log.ready ?? NO_READY };
}

function differs(a: WaitAnswer, result: Outcome, ready: readonly Reported[]): boolean {
  if (a.result.errno !== result.errno || a.ready.length !== ready.length) return true;
  return a.ready.some((e) => !ready.some((f) => f.data === e.data && f.events === e.events));
}

function ackText(acks: readonly PredictedSegment[], names: readonly string[]): string {
  return acks.map((a) => `${names[a.src] ?? '?'} > ${names[a.dst] ?? '?'}`).join(', ');
}

function answerText(a: WaitAnswer, names: readonly string[]): string {
  if (a.result.errno) return errnoName(a.result.errno);
  return a.ready.length ? a.ready.map((e) => `${names[e.data] ?? '?'}: ${formatEpollFlags(e.events)}`).join(', ') : 'nothing ready';
}

function pendingAcks(s: State): readonly PredictedSegment[] {
  const raw = sock.pendingAcks(s);
  return raw.length ? (attributeAll(s, raw) as PredictedSegment[]) : NO_ACKS;
}

/** The pure ACKs that may land in a step: pending before it or after it, or marked as may-be in it. */
function mergeAcks(before: readonly PredictedSegment[], after: readonly PredictedSegment[], wire: readonly WireItem[]): readonly PredictedSegment[] {
  if (!before.length && !after.length && !wire.length) return NO_ACKS;
  const out = [...before];
  const add = (a: PredictedSegment): void => {
    if (!out.some((b) => b.src === a.src && b.dst === a.dst)) out.push(a);
  };
  for (const a of after) add(a);
  for (const w of wire) if (!isBulk(w) && w.timing === 'delayed') add(w);
  return out;
}

function runOp(d: Draft, log: StepLog, p: ModelProgram, i: number, op: OpName, family: Family, ltRequeue: boolean): Outcome {
  const c = p.code;
  const at = i * OP_WORDS;
  const a = c[at + 1];
  const b = c[at + 2];
  const name = log.nameOf;
  switch (op) {
    case 'tcp':
      return sock.tcpPair(d, log, a, b, 4);
    case 'tcp6':
      return sock.tcpPair(d, log, a, b, 6);
    case 'unix':
      return sock.unixPair(d, log, a, b);
    case 'pair':
      return family === 'unix' ? sock.unixPair(d, log, a, b) : sock.tcpPair(d, log, a, b, family === 'tcp6' ? 6 : 4);
    case 'socket':
      return sock.bareSocket(d, log, a);
    case 'pipe': {
      if (!room(d, log, 2)) return failBind(d, E.EMFILE, a, b);
      const [rd, wr] = pipeCreate(d);
      installNew(d, log, a, rd);
      installNew(d, log, b, wr);
      return OK;
    }
    case 'eventfd':
      if (!room(d, log, 1)) return failBind(d, E.EMFILE, a);
      installNew(d, log, a, counterCreate(d, b));
      return OK;
    case 'epoll':
      if (!room(d, log, 1)) return failBind(d, E.EMFILE, a);
      installNew(d, log, a, epollCreate(d));
      return OK;
    case 'listen':
      return sock.listenSocket(d, log, a);
    case 'connect_new': {
      const l = live(d, log, b);
      if (l < 0) return failBind(d, E.EBADF, a);
      return sock.connectNew(d, log, a, l, name(b));
    }
    case 'connect': {
      const f = live(d, log, a);
      if (f < 0) return fail(E.EBADF);
      const l = live(d, log, b);
      if (l < 0) return fail(E.EBADF);
      return sock.connectExisting(d, log, f, l, name(a), name(b));
    }
    case 'accept': {
      const l = live(d, log, a);
      if (l < 0) return failBind(d, E.EBADF, b);
      return sock.accept(d, log, l, b, name(a));
    }
    case 'dup':
      return dupFd(d, log, a, b);
    case 'dup2':
      return dup2Fd(d, log, a, b);
    case 'add':
    case 'mod':
    case 'del': {
      const e = live(d, log, a);
      if (e < 0) return fail(E.EBADF);
      const t = live(d, log, b);
      if (t < 0) {
        explainStale(d, log, e, d.slotFd[b], name(a));
        return fail(E.EBADF);
      }
      const ctl = op === 'add' ? EPOLL_CTL_ADD : op === 'mod' ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
      const del = op === 'del';
      return epollCtl(d, log, ctl, e, t, d.slotFd[b], del ? 0 : c[at + 3], del ? -1 : c[at + 4], {
        ep: name(a),
        target: name(b),
        data: del ? '' : name(c[at + 4]),
      });
    }
    case 'wait': {
      const e = live(d, log, a);
      if (e < 0) return fail(E.EBADF);
      return epollWait(d, log, e, b, name(a), ltRequeue);
    }
    case 'close': {
      if (live(d, log, a) < 0) return fail(E.EBADF);
      closeFd(d, log, d.slotFd[a], name(a));
      return OK;
    }
    case 'shutdown': {
      const f = live(d, log, a);
      if (f < 0) return fail(E.EBADF);
      if (!isSocket(d, f)) return notSocket(log, name(a));
      return sock.shutdown(d, log, f, b, name(a));
    }
    case 'write':
      return write(d, log, a, stringOperand(p, i, 2));
    case 'write_n':
      return write(d, log, a, b);
    case 'send_oob': {
      const f = live(d, log, a);
      if (f < 0) return fail(E.EBADF);
      if (!isSocket(d, f)) return notSocket(log, name(a));
      return sock.send(d, log, f, name(a), stringOperand(p, i, 2), true);
    }
    case 'read':
      return read(d, log, a, b);
    case 'fill': {
      const f = live(d, log, a);
      if (f < 0) return fail(E.EBADF);
      const k = d.file(f).kind;
      if (k === 'pipe-w') return pipeFill(d, log, f, name(a));
      if (k === 'eventfd') return counterFill(log, name(a));
      if (k === 'socket') return sock.fill(d, log, f, name(a));
      return wrongKind(log, name(a), k, 'write', k === 'pipe-r' ? E.EBADF : E.EINVAL);
    }
    case 'drain': {
      const f = live(d, log, a);
      if (f < 0) return fail(E.EBADF);
      const k = d.file(f).kind;
      if (k === 'pipe-r') return pipeDrain(d, log, f, name(a));
      if (k === 'eventfd') return counterDrain(d, log, f, name(a));
      if (k === 'socket') return sock.drain(d, log, f, name(a));
      return wrongKind(log, name(a), k, 'read', k === 'pipe-w' ? E.EBADF : E.EINVAL);
    }
    case 'linger': {
      const f = live(d, log, a);
      if (f < 0) return fail(E.EBADF);
      if (!isSocket(d, f)) return notSocket(log, name(a));
      return sock.linger(d, log, f, b, name(a));
    }
    case 'sleep':
      log.because('op.sleep', a);
      return sock.sleep(d, log, a);
  }
}

function isSocket(d: Draft, f: FileId): boolean {
  return d.file(f).kind === 'socket';
}

function notSocket(log: StepLog, name: string): Outcome {
  log.because('sock.not-socket', name);
  return fail(E.ENOTSOCK);
}

const KIND_TEXT: Record<string, string> = {
  'pipe-r': 'the read end of a pipe',
  'pipe-w': 'the write end of a pipe',
  epoll: 'an epoll instance',
  eventfd: 'an eventfd',
  socket: 'a socket',
};

/** vfs_read / vfs_write on a file not open for it (EBADF) or with no such operation (EINVAL). */
function wrongKind(log: StepLog, name: string, kind: string, opText: string, errno: number): Outcome {
  log.because('op.wrong-kind', name, KIND_TEXT[kind] ?? kind, opText, errno === E.EBADF ? 'EBADF (not open for it)' : 'EINVAL (it has no such operation)');
  return fail(errno);
}

/** write / write_n: send(MSG_NOSIGNAL) on sockets, write(2) otherwise. */
function write(d: Draft, log: StepLog, slot: number, data: Payload): Outcome {
  const f = live(d, log, slot);
  if (f < 0) return fail(E.EBADF);
  const name = log.name(slot);
  const k = d.file(f).kind;
  switch (k) {
    case 'pipe-w':
      return pipeWrite(d, log, f, name, data);
    case 'eventfd':
      return counterWrite(d, log, f, name, data);
    case 'socket':
      return sock.send(d, log, f, name, data, false);
    case 'pipe-r':
      return wrongKind(log, name, k, 'write', E.EBADF);
    case 'epoll':
      return wrongKind(log, name, k, 'write', E.EINVAL);
  }
}

/** read(2). */
function read(d: Draft, log: StepLog, slot: number, n: number): Outcome {
  const f = live(d, log, slot);
  if (f < 0) return fail(E.EBADF);
  const name = log.name(slot);
  const k = d.file(f).kind;
  switch (k) {
    case 'pipe-r':
      return pipeRead(d, log, f, name, n);
    case 'eventfd':
      return counterRead(d, log, f, name, n);
    case 'socket':
      return sock.recv(d, log, f, name, n);
    case 'pipe-w':
      return wrongKind(log, name, k, 'read', E.EBADF);
    case 'epoll':
      return wrongKind(log, name, k, 'read', E.EINVAL);
  }
}
