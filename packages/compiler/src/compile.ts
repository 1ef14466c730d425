// compile(): .epl source -> one Program per scenario. Resolves names to slots, applies the
// naming rules (bind / use / rebind), checks limits and the shape of expectations, and lowers
// each scenario (setup + block) to ops. It never judges descriptor kinds: the kernel does.
// The rules are listed in this package's README.
import { basename, extname } from 'node:path';
import {
  DEFAULTS,
  LIMITS,
  OPS,
  ProgramBuilder,
  SourceError,
  type OpName,
  type Program,
  type ReadyEntry,
  type ResultExpect,
  type SegmentExpect,
  type Span,
  type Step,
  type WireExpect,
} from '@epl/program';
import { parse, type FileAst, type Flags, type Name, type Num, type ResultNode, type Statement, type WireNode } from '@epl/dsl';
import { readSource } from './read-source';

/** Compile an .epl source into one Program per scenario. `file` names it in errors and Programs. Throws SourceError. */
export function compile(source: string, file: string): Program[] {
  return compileAst(parse(source, file), source);
}

/** Read (readSource) and compile a file. Throws SourceError, or the fs error when it cannot be read. */
export function compileFile(path: string): Program[] {
  return compile(readSource(path), path);
}

/** Compile a parsed file; `source` is the text it came from (for error frames). */
export function compileAst(ast: FileAst, source: string): Program[] {
  const setup: Statement[] = [];
  const blocks = [];
  for (const item of ast.items) {
    if (item.kind === 'scenario') blocks.push(item);
    else if (blocks.length > 0) {
      throw new SourceError(
        ast.file,
        source,
        item.span,
        `statement after the first scenario block: setup statements go before the first 'scenario', the rest inside a block`,
      );
    } else setup.push(item);
  }
  if (blocks.length === 0) {
    const title = basename(ast.file, extname(ast.file));
    return [new Lowering(ast.file, source, title, 0, [], setup).program()];
  }
  const utf8 = new TextDecoder();
  return blocks.map((b, i) => new Lowering(ast.file, source, utf8.decode(b.title.bytes), i, setup, b.body).program());
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
/** Statements whose names are sockets that segments come from (wire endpoints). */
const SOCKET_MAKERS = new Set(['tcp', 'tcp6', 'unix', 'socket', 'pair', 'listen', 'connect', 'accept']);

interface Binding {
  open: boolean;
  /** Where the name was last bound. */
  at: Span;
}

/** One scenario (setup + block body) lowered to a Program. */
class Lowering {
  private readonly builder: ProgramBuilder;
  private readonly bindings = new Map<string, Binding>();
  private readonly slots = new Set<string>();
  private readonly steps: Step[] = [];
  /**
   * Expectations are checked where they stand (errors come in source order), but a name they
   * mention may get its slot from a later op: its slot is filled in once every op is in.
   */
  private readonly fixups: { name: string; set: (slot: number) => void }[] = [];
  private stringBytes = 0;
  private budgetMs = 0;
  // Facts about the whole Program, gathered before lowering.
  private readonly epolls: string[] = [];
  private readonly sockets = new Set<string>();
  private readonly operands = new Set<string>();
  private readonly firstBound = new Map<string, Span>();

  constructor(
    private readonly file: string,
    private readonly source: string,
    title: string,
    index: number,
    private readonly setup: readonly Statement[],
    private readonly body: readonly Statement[],
  ) {
    this.builder = new ProgramBuilder(file, title, index);
  }

  program(): Program {
    const all = [...this.setup, ...this.body];
    for (const s of all) this.survey(s);
    if (all.length > LIMITS.maxOps) this.fail(all[LIMITS.maxOps].span, `more than ${LIMITS.maxOps} steps in one scenario (setup included)`);
    this.setup.forEach((s) => this.lower(s, true));
    this.body.forEach((s) => this.lower(s, false));
    for (const f of this.fixups) f.set(this.builder.slot(f.name));
    return { ...this.builder.build(), steps: this.steps };
  }

  private fail(at: Span, reason: string): never {
    throw new SourceError(this.file, this.source, at, reason);
  }

  /** Record what the whole Program binds, before lowering (some checks look ahead). */
  private survey(s: Statement): void {
    for (const n of operandNames(s)) this.operands.add(n.text);
    const bound = boundNames(s);
    for (const n of bound) if (!this.firstBound.has(n.text)) this.firstBound.set(n.text, n.span);
    if (s.op === 'epoll' && !this.epolls.includes(s.a.text)) this.epolls.push(s.a.text);
    if (SOCKET_MAKERS.has(s.op)) for (const n of bound) this.sockets.add(n.text);
  }

  // ---- names ----------------------------------------------------------------------------------

  /** The name as an operand word: counts toward the slot limit on first appearance. */
  private slot(n: Name): string {
    if (!this.slots.has(n.text)) {
      if (this.slots.size >= LIMITS.maxSlots) this.fail(n.span, `more than ${LIMITS.maxSlots} names in one scenario`);
      this.slots.add(n.text);
    }
    return n.text;
  }

  /** A name passed to the kernel by its number: it must have been bound before (open or closed). */
  private use(n: Name): string {
    if (!this.bindings.has(n.text)) {
      const later = this.firstBound.get(n.text);
      if (later) this.fail(n.span, `'${n.text}' is used before it is bound (at ${later.line}:${later.col})`);
      this.fail(n.span, `unknown name '${n.text}' (${this.knownText()})`);
    }
    return this.slot(n);
  }

  /** A name a creating statement binds: it must not be open. */
  private bind(n: Name): string {
    const b = this.bindings.get(n.text);
    if (b?.open) this.fail(n.span, `'${n.text}' is still open (bound at ${b.at.line}:${b.at.col}); close it first or use another name`);
    this.slot(n);
    this.bindings.set(n.text, { open: true, at: n.span });
    return n.text;
  }

  private knownText(): string {
    const names = sortNames([...this.bindings.keys()]);
    if (names.length === 0) return 'no name is bound yet';
    return `known: ${names.length > 12 ? names.slice(0, 12).join(', ') + ', …' : names.join(', ')}`;
  }

  // ---- numbers --------------------------------------------------------------------------------

  private int(n: Num | undefined, dflt: number): number {
    if (n === undefined) return dflt;
    if (n.value < INT32_MIN || n.value > INT32_MAX) this.fail(n.span, `${n.text} is out of range (a 32-bit signed integer)`);
    return n.value;
  }

  private bounded(n: Num | undefined, dflt: number, max: number, what: string, unit: string): number {
    if (n === undefined) return dflt;
    if (n.value < 0) this.fail(n.span, `${what} cannot be negative`);
    if (n.value > max) this.fail(n.span, `${what} ${n.value} is over the limit of ${max} ${unit}`);
    return n.value;
  }

  private spend(ms: number, at: Span): void {
    this.budgetMs += ms;
    if (this.budgetMs > LIMITS.maxBudgetMs) {
      this.fail(at, `time budget exceeded: sleeps, wait timeouts and lingers add up to ${this.budgetMs} ms in this scenario (limit ${LIMITS.maxBudgetMs} ms)`);
    }
  }

  private flags(f: Flags): number {
    return f.value; // each part was checked to fit in 32 bits by the parser
  }

  private bytes(b: Uint8Array, at: Span): Uint8Array {
    this.stringBytes += b.length;
    if (this.stringBytes > LIMITS.maxStringBytes) this.fail(at, `strings add up to more than ${LIMITS.maxStringBytes} bytes in one scenario`);
    return b;
  }

  // ---- statements -----------------------------------------------------------------------------

  private lower(s: Statement, setup: boolean): void {
    const [name, operands] = this.operandsOf(s);
    this.builder.op(name, operands);
    this.steps.push(this.step(s, setup));
  }

  /** The op and its operand values (names as text, resolved by the builder). */
  private operandsOf(s: Statement): [OpName, (string | number | Uint8Array)[]] {
    switch (s.op) {
      case 'tcp':
      case 'tcp6':
      case 'unix':
      case 'pair':
      case 'pipe':
        return [s.op, [this.bind(s.a), this.bind(s.b)]];
      case 'socket':
      case 'listen':
      case 'epoll':
        return [s.op, [this.bind(s.a)]];
      case 'eventfd':
        return ['eventfd', [this.bind(s.a), this.int(s.init, DEFAULTS.eventfdInit)]];
      case 'connect':
        if (this.bindings.get(s.a.text)?.open) return ['connect', [this.use(s.a), this.use(s.b)]];
        return ['connect_new', [this.bind(s.a), this.use(s.b)]];
      case 'accept':
      case 'dup':
        return [s.op, [this.use(s.a), this.bind(s.b)]];
      case 'dup2': {
        const from = this.use(s.a);
        if (!this.bindings.has(s.b.text)) {
          this.fail(s.b.span, `dup2 target '${s.b.text}' has no number yet: bind it before (dup2 reuses the number of an open or closed name)`);
        }
        this.bindings.set(s.b.text, { open: true, at: s.b.span });
        return ['dup2', [from, this.slot(s.b)]];
      }
      case 'add':
      case 'mod': {
        const ep = this.use(s.a);
        const target = this.use(s.b);
        const flags = this.flags(s.flags);
        return [s.op, [ep, target, flags, s.data ? this.slot(s.data) : target]];
      }
      case 'del':
        return ['del', [this.use(s.a), this.use(s.b)]];
      case 'wait': {
        const ep = this.use(s.a ?? this.impliedEpoll(s));
        if (s.max && (s.max.value < INT32_MIN || s.max.value > LIMITS.maxWaitEvents)) {
          this.fail(
            s.max.span,
            s.max.value > 0
              ? `max ${s.max.value} is over the limit of ${LIMITS.maxWaitEvents} events`
              : `${s.max.text} is out of range (a 32-bit signed integer)`,
          );
        }
        const max = s.max?.value ?? DEFAULTS.waitMax;
        const timeout = this.bounded(s.timeout, DEFAULTS.waitTimeoutMs, LIMITS.maxSleepMs, 'timeout', 'ms');
        if (s.timeout) this.spend(timeout, s.timeout.span);
        return ['wait', [ep, max, timeout]];
      }
      case 'close': {
        const a = this.use(s.a);
        this.bindings.get(a)!.open = false;
        return ['close', [a]];
      }
      case 'shutdown':
        return ['shutdown', [this.use(s.a), this.int({ ...s.how, kind: 'number' }, 0)]];
      case 'write':
        if (s.data.kind === 'string') return ['write', [this.use(s.a), this.bytes(s.data.bytes, s.data.span)]];
        return ['write_n', [this.use(s.a), this.bounded(s.data, 0, LIMITS.maxIoBytes, 'write size', 'bytes')]];
      case 'read':
        return ['read', [this.use(s.a), this.bounded(s.count, DEFAULTS.readBytes, LIMITS.maxIoBytes, 'read size', 'bytes')]];
      case 'send':
        return ['send_oob', [this.use(s.a), this.bytes(s.data.bytes, s.data.span)]];
      case 'fill':
      case 'drain':
        return [s.op, [this.use(s.a)]];
      case 'linger': {
        const a = this.use(s.a);
        const secs = this.bounded(s.seconds, 0, LIMITS.maxLingerSeconds, 'linger', 'seconds');
        this.spend(secs * 1000, s.seconds.span);
        return ['linger', [a, secs]];
      }
      case 'sleep': {
        const ms = this.bounded(s.ms, 0, LIMITS.maxSleepMs, 'sleep', 'ms');
        this.spend(ms, s.ms.span);
        return ['sleep', [ms]];
      }
    }
  }

  /** `wait` without a name: the scenario's one epoll. */
  private impliedEpoll(s: Statement): Name {
    const at = { line: s.span.line, col: s.span.col, offset: s.span.offset, end: s.span.offset + 4 };
    if (this.epolls.length === 1) return { kind: 'name', text: this.epolls[0], span: at };
    if (this.epolls.length === 0) this.fail(at, "wait without an epoll name, and this scenario creates no epoll: write 'wait E' (or 'epoll E' first)");
    const list = sortNames(this.epolls);
    this.fail(at, `wait without an epoll name, but this scenario has several (${list.join(', ')}): write 'wait ${list[0]}' or another`);
  }

  // ---- expectations ---------------------------------------------------------------------------

  /** The step of a lowered statement: its spans and expectations (one object shape for every step). */
  private step(s: Statement, setup: boolean): Step {
    let expect: ResultExpect | undefined;
    let expectSpan: Span | undefined;
    let wire: WireExpect | undefined;
    let wireSpan: Span | undefined;
    for (const e of s.expects) {
      if (e.kind === 'result') {
        if (expect) this.fail(e.span, "duplicate '=>' on one step");
        expect = this.result(e.value, s);
        expectSpan = e.span;
      } else {
        if (wire) this.fail(e.span, "duplicate '~>' on one step");
        wire = this.wire(e.value);
        wireSpan = e.span;
      }
    }
    if (!expect && !wire) return { span: s.span, end: s.end, setup };
    return { span: s.span, end: s.end, setup, expect, expectSpan, wire, wireSpan };
  }

  private result(v: ResultNode, s: Statement): ResultExpect {
    switch (v.kind) {
      case 'ok':
        return { kind: 'ok' };
      case 'number':
        return { kind: 'number', value: v.value };
      case 'errno':
        return { kind: 'errno', name: v.name, code: v.code };
      case 'string':
        // drain's result is its count: the executor keeps no drained bytes to compare.
        if (s.op === 'drain') this.fail(v.span, `a string result is only for read (drain returns the byte count: => ${v.bytes.length})`);
        if (s.op !== 'read') this.fail(v.span, `a string result is only for read (${s.op} returns a number, ok or an errno)`);
        return { kind: 'bytes', value: v.bytes.slice() }; // its own copy: the AST's may be a view of a shared buffer
      case 'none':
        if (s.op !== 'wait') this.fail(v.span, `'none' as a result is only for wait (${s.op} returns a number, ok or an errno)`);
        return { kind: 'none' };
      case 'ready': {
        if (s.op !== 'wait') this.fail(v.span, `a ready list is only for wait (${s.op} returns a number, ok or an errno)`);
        const entries: ReadyEntry[] = v.entries.map((e) => {
          if (!this.operands.has(e.name.text)) this.fail(e.name.span, `unknown name '${e.name.text}' in ready list (${this.namesText(this.operands)})`);
          const entry = { slot: -1, events: this.flags(e.flags) };
          this.fixups.push({ name: e.name.text, set: (slot) => (entry.slot = slot) });
          return entry;
        });
        return { kind: 'ready', entries };
      }
    }
  }

  private wire(v: WireNode): WireExpect {
    if (v.kind === 'none') return { kind: 'none' };
    const segments: SegmentExpect[] = v.segments.map((g) => {
      for (const n of [g.src, g.dst]) {
        if (!this.sockets.has(n.text)) this.fail(n.span, `wire expectation names unknown endpoint '${n.text}' (${this.namesText(this.sockets, 'sockets')})`);
      }
      const len = this.bounded(g.len, 0, INT32_MAX, 'len', 'bytes');
      const seg = { src: -1, dst: -1, flags: g.flags.value, len };
      this.fixups.push({ name: g.src.text, set: (slot) => (seg.src = slot) }, { name: g.dst.text, set: (slot) => (seg.dst = slot) });
      return seg;
    });
    return { kind: 'segments', segments };
  }

  private namesText(set: Iterable<string>, what = 'known'): string {
    const names = sortNames([...set]);
    if (names.length === 0) return `no ${what === 'known' ? 'names' : what} in this scenario`;
    return `${what}: ${names.length > 12 ? names.slice(0, 12).join(', ') + ', …' : names.join(', ')}`;
  }
}

/** Numbers by value first, then identifiers alphabetically: how people list descriptors. */
function sortNames(names: string[]): string[] {
  const num = (s: string) => (/^[0-9]+$/.test(s) ? Number(s) : Infinity);
  return names.slice().sort((a, b) => num(a) - num(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Names a statement binds, in operand order: the `bind`/`rebind` operands of the op it lowers
 * to, read from the opcode table rather than restated here. A statement's name operands are its
 * first operand words (`a`, then `b`); `connect` is surveyed as `connect_new`, which binds A.
 */
function boundNames(s: Statement): Name[] {
  const spec = OPS.find((o) => o.name === (s.op === 'connect' ? 'connect_new' : s.op));
  if (!spec) return [];
  const names = [(s as { a?: Name }).a, (s as { b?: Name }).b];
  return spec.operands.slice(0, 2).flatMap((kind, i) => ((kind === 'bind' || kind === 'rebind') && names[i] ? [names[i]] : []));
}

/** Every name a statement's operands mention (what a ready list may name). */
function operandNames(s: Statement): Name[] {
  switch (s.op) {
    case 'tcp':
    case 'tcp6':
    case 'unix':
    case 'pair':
    case 'pipe':
    case 'connect':
    case 'del':
    case 'accept':
    case 'dup':
    case 'dup2':
      return [s.a, s.b];
    case 'add':
    case 'mod':
      return s.data ? [s.a, s.b, s.data] : [s.a, s.b];
    case 'wait':
      return s.a ? [s.a] : [];
    case 'sleep':
      return [];
    default:
      return [s.a];
  }
}
