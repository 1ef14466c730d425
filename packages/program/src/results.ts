// What a run of a Program observed, decoded from the executor's results buffer.
import type { Family } from './tables';
import type { ReadyEntry } from './program';

/** One captured TCP segment, attributed to the script's names (slots) by 4-tuple. */
export interface Segment {
  readonly src: number;
  readonly dst: number;
  /** TCP header flag bits (see TCP_FLAGS). */
  readonly flags: number;
  /** Payload length in bytes. */
  readonly len: number;
}

export interface StepResult {
  /** The call's return value, or -1 when `errno` is set. Creating ops return 0 on success. */
  readonly ret: number;
  /** errno of the failed call, 0 on success. */
  readonly errno: number;
  /** Real descriptor numbers a creating op bound, in operand order (-1: nothing bound). */
  readonly fds: readonly number[];
  /**
   * `read`: the bytes read. A run keeps at most 2 MiB of them (the executor's maxRunBytes): a
   * later read's bytes may be cut short of `ret` (RunResult.bytesDropped counts what was cut).
   * `drain` keeps none: its result is the count.
   */
  readonly bytes?: Uint8Array;
  /** `wait`: the ready list, in the order epoll_wait returned it. */
  readonly ready?: readonly ReadyEntry[];
  /** Segments captured between the end of the previous step and the end of this one. */
  readonly wire: readonly Segment[];
  /** Segments of this step past LIMITS.maxSegmentsPerStep: counted, not stored (absent when none). */
  readonly wireDropped?: number;
}

export interface WireStatus {
  /** True when segments were captured for this run. */
  readonly captured: boolean;
  /** Why not, in one plain sentence, when `captured` is false. */
  readonly reason?: string;
}

export interface RunResult {
  /** One per op that ran, in order. */
  readonly steps: readonly StepResult[];
  /** `uname -r` of the kernel that answered. */
  readonly kernel: string;
  /** The family `pair` took. */
  readonly family: Family;
  /** True when the run had a network namespace of its own. */
  readonly netns: boolean;
  readonly wire: WireStatus;
  /**
   * Set when the Program was malformed, when a step would have passed a limit (time budget,
   * queued bytes, results' bounds: the run ended before it) or the executor failed; `steps`
   * holds what ran before.
   */
  readonly error?: string;
  /** Read bytes not kept because the run's 2 MiB were used up (absent when none were cut). */
  readonly bytesDropped?: number;
}
