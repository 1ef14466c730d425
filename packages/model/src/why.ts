// Reasons as data, and the log a step writes them to. A reason is a rule id, the objects it is
// about (names, file ids, numbers) and a sentence built from them. The sentence is built only
// when something reads it (`text`, or JSON), so predicting is cheap when nobody asks why.
import type { Range } from './bytes';
import type { FileId } from './state';

/** The objects a reason is about: names as the script writes them, file ids, numbers, flags. */
export type ReasonObjects = Readonly<Record<string, string | number | boolean>>;

type Template = (o: ReasonObjects) => string;

const TEMPLATES = new Map<string, Template>();

/** Registers the sentences of a module's rules (ids are `area.rule`). */
export function defineReasons(templates: Readonly<Record<string, Template>>): void {
  for (const [rule, t] of Object.entries(templates)) {
    if (TEMPLATES.has(rule)) throw new Error(`model: reason ${rule} defined twice`);
    TEMPLATES.set(rule, t);
  }
}

/** Every rule id with a sentence, for the README and tests. */
export function reasonIds(): string[] {
  return [...TEMPLATES.keys()].sort();
}

export class Reason {
  constructor(
    readonly rule: string,
    readonly objects: ReasonObjects,
  ) {}

  /** One sentence saying why. */
  get text(): string {
    const t = TEMPLATES.get(this.rule);
    return t ? t(this.objects) : this.rule;
  }

  toJSON(): Record<string, unknown> {
    return { rule: this.rule, ...this.objects, text: this.text };
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
}

export type WireItem = PredictedSegment | BulkTransfer;

export function isBulk(w: WireItem | RawItem): w is BulkTransfer {
  return (w as BulkTransfer).bytes !== undefined;
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
}

export type RawItem = RawSegment | RawBulk;

/** What one step writes while its rules run: reasons, segments and the wake-ups to deliver. */
export class StepLog {
  readonly why: Reason[] = [];
  readonly wire: RawItem[] = [];
  /** Wake-ups in order: (file, poll key); key 0 wakes every waiter (wake_up_interruptible_all). */
  readonly wakes: number[] = [];

  constructor(readonly names: readonly string[]) {}

  because(rule: string, objects: ReasonObjects = {}): void {
    this.why.push(new Reason(rule, objects));
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
}
