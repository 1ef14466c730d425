// Reasons as data, and the log a step writes them to. A reason is a rule id, the objects it is
// about (names, file ids, numbers) and a sentence built from them. The sentence is built only
// when something reads it (`text`, or JSON), so predicting is cheap when nobody asks why.
import type { Range } from './bytes';
import type { FileId, State } from './state';
import type { Reported } from './epoll';

/** The objects a reason is about: names as the script writes them, file ids, numbers, flags. */
export type ReasonObjects = Readonly<Record<string, Value>>;
export type Value = string | number | boolean | bigint;

/** What a sentence is built from: the objects, with booleans as 1/0 and bigints as decimal text. */
export type TemplateObjects = Readonly<Record<string, string | number>>;
type Template = (o: TemplateObjects) => string;

interface Rule {
  /** The names of a reason's objects, in the order `because()` takes them. */
  readonly fields: readonly string[];
  readonly text: Template;
}

const RULES = new Map<string, Rule>();

/**
 * Registers the reasons of a module's rules (ids are `area.rule`): for each, the names of its
 * objects (space separated, in the order `StepLog.because` takes them) and its sentence.
 */
export function defineReasons(defs: Readonly<Record<string, readonly [string, Template]>>): void {
  for (const [rule, [fields, text]] of Object.entries(defs)) {
    if (RULES.has(rule)) throw new Error(`model: reason ${rule} defined twice`);
    RULES.set(rule, { fields: fields ? fields.split(' ') : [], text });
  }
}

/** Every rule id with a sentence, for the README and tests. */
export function reasonIds(): string[] {
  return [...RULES.keys()].sort();
}

/** Why a step did what it did: a rule, the objects it is about, and a sentence built from them (when read). */
export class Reason {
  private resolve: (() => [string, ReasonObjects]) | undefined;
  private objs: ReasonObjects | undefined;

  constructor(
    private ruleId: string,
    private readonly args: readonly (Value | undefined)[],
    resolve?: () => [string, ReasonObjects],
  ) {
    this.resolve = resolve;
  }

  /** The rule's id (`area.rule`). */
  get rule(): string {
    this.settle();
    return this.ruleId;
  }

  /** The objects the reason is about, by name. */
  get objects(): ReasonObjects {
    this.settle();
    if (!this.objs) {
      const o: Record<string, Value> = {};
      const fields = RULES.get(this.ruleId)?.fields ?? [];
      fields.forEach((f, i) => {
        const v = this.args[i];
        if (v !== undefined) o[f] = v;
      });
      this.objs = o;
    }
    return this.objs;
  }

  /** One sentence saying why. */
  get text(): string {
    const t = RULES.get(this.rule);
    if (!t) return this.rule;
    const o: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(this.objects)) o[k] = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? v.toString() : v;
    return t.text(o);
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { rule: this.rule };
    for (const [k, v] of Object.entries(this.objects)) out[k] = typeof v === 'bigint' ? v.toString() : v;
    out.text = this.text;
    return out;
  }

  /** A reason decided from the step's final state is worked out when first read. */
  private settle(): void {
    if (!this.resolve) return;
    const [rule, objs] = this.resolve();
    this.resolve = undefined;
    this.ruleId = rule;
    this.objs = objs;
  }
}

/** A segment the model says a step puts on loopback, attributed to names as the capture does. */
export interface PredictedSegment {
  /** Slots of the names the endpoints are attributed to. */
  readonly src: number;
  readonly dst: number;
  /** TCP flag bits (TCP_FLAGS of @epl/program). */
  readonly flags: number;
  /** Payload bytes. */
  readonly len: number;
  /** The rule that sent it. */
  readonly rule: string;
  /**
   * `now`: it leaves during this step. `delayed`: a pure ACK held by the delayed-ACK timer (or
   * one whose timing buffer autotuning decides): it may land in this step, a later one, or after
   * the scenario. Such segments are never counted as disagreements.
   */
  readonly timing: 'now' | 'delayed';
}

/** A bulk transfer: data from src to dst and ACKs back, segmented as the MSS and windows decide. */
export interface BulkTransfer {
  readonly src: number;
  readonly dst: number;
  /** Payload bytes in all, as a range. */
  readonly bytes: Range;
  readonly rule: string;
  /** The receiver takes no more data: each data segment is answered with RST (dst > src R). */
  readonly rst?: boolean;
}

export type WireItem = PredictedSegment | BulkTransfer;

/** A bulk transfer rather than one segment. */
export function isBulk<T extends WireItem | RawItem>(w: T): w is Extract<T, { readonly bytes: Range }> {
  return (w as { bytes?: Range }).bytes !== undefined;
}

/** A segment as a rule sends it: between model addresses (attributed to names at the end of the step, as the executor does). */
export interface RawSegment {
  readonly from: number;
  readonly to: number;
  readonly flags: number;
  readonly len: number;
  readonly rule: string;
  readonly timing: 'now' | 'delayed';
}

export interface RawBulk {
  readonly from: number;
  readonly to: number;
  readonly bytes: Range;
  readonly rule: string;
  readonly rst?: boolean;
}

export type RawItem = RawSegment | RawBulk;

/** What one step writes while its rules run: reasons, segments and the wake-ups to deliver. */
export class StepLog {
  why: Reason[] = [];
  wire: RawItem[] = [];
  /** Wake-ups in order: (file, poll key); key 0 wakes every waiter (wake_up_interruptible_all). */
  wakes: number[] = [];
  /** A wait's ready list, as epoll_wait returns it. */
  ready: Reported[] | undefined = undefined;

  /**
   * @param names the slots' names, for the reasons
   * @param explain keep reasons (false: a lean run that only predicts answers)
   */
  constructor(
    readonly names: readonly string[],
    readonly explain = true,
  ) {}

  /** Ready for the next step (a lean run reuses one log). */
  reset(): void {
    if (this.why.length) this.why = [];
    if (this.wire.length) this.wire = [];
    if (this.wakes.length) this.wakes = [];
    this.ready = undefined;
  }

  /** The state at the end of the step (set by predict), for reasons worked out when read. */
  final: State | undefined = undefined;

  /** A reason: the rule and its objects in the order its definition names them (nothing is built in a lean run). */
  because(rule: string, a?: Value, b?: Value, c?: Value, d?: Value, e?: Value, f?: Value, g?: Value): void {
    if (this.explain) this.why.push(new Reason(rule, [a, b, c, d, e, f, g]));
  }

  /** A reason whose rule and objects are decided from the step's final state, when first read. */
  later(decide: (s: State) => [string, ReasonObjects]): void {
    if (this.explain) this.why.push(new Reason('', [], () => decide(this.final!)));
  }

  /** Takes over a reason another log recorded (a call made on the side, as a fill's first write). */
  adopt(r: Reason | undefined): void {
    if (r && this.explain) this.why.push(r);
  }

  send(seg: RawItem): void {
    this.wire.push(seg);
  }

  wake(file: FileId, key: number): void {
    this.wakes.push(file, key);
  }

  /** The name of a slot, as the script writes it. */
  name(slot: number): string {
    return slot >= 0 && slot < this.names.length ? this.names[slot] : `#${slot}`;
  }

  /** `name`, bound (to pass around). */
  readonly nameOf = (slot: number): string => this.name(slot);
}
