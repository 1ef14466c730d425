// Bounds that keep a script from blocking, exhausting or overrunning the executor.
// The compiler rejects a script outside them with a located error; the native side checks
// them again (it trusts nothing) and returns an error for a Program that breaks them.
// packages/executor/src/native/opcodes.h mirrors these numbers (a test proves it).
export const LIMITS = {
  /** Ops in one Program (setup + scenario). */
  maxOps: 4096,
  /** Distinct names (slots) in one Program. */
  maxSlots: 256,
  /** Bytes in the string table. */
  maxStringBytes: 1 << 20,
  /** `read A N` / `write A N`: largest N. */
  maxIoBytes: 1 << 20,
  /** `sleep MS` and `wait … timeout MS`: largest MS. */
  maxSleepMs: 2000,
  /** `wait … max N`: largest N (the executor's event buffer). */
  maxWaitEvents: 1024,
  /** `linger A S`: largest S (close() may block that long even on a non-blocking socket). */
  maxLingerSeconds: 2,
  /** Sum of every sleep, wait timeout and linger in one Program, in ms (checked before it runs). */
  maxBudgetMs: 10000,
  /**
   * Wall time of one run, in ms (checked as it runs): a step that starts past it, or that could
   * block past it (a sleep, a wait's timeout, a close that SO_LINGER may hold), ends the run
   * before it runs. Above maxBudgetMs by the time a run's non-blocking work may take.
   */
  maxRunMs: 11000,
  /** Descriptors one Program may hold open at once (creating ops beyond it get EMFILE). */
  maxOpenFds: 512,
  /** `fill`/`drain` stop after this many bytes even without EAGAIN. */
  maxFillBytes: 64 << 20,
  /** Segments recorded for one step (more are counted, not stored). */
  maxSegmentsPerStep: 256,
  /**
   * Bytes a Program's writes (write, send … oob, fill) may have handed to the kernel and its
   * reads (read, drain) not taken back, at any time: what bounds the kernel memory one run
   * holds. A write that would pass it ends the run before it runs; a fill that reaches it, there.
   */
  maxQueuedBytes: 64 << 20,
} as const;

/** What a statement means when it leaves an operand out (the compiler fills them in, the printer leaves them out). */
export const DEFAULTS = {
  /** `wait E`: `max 64`. */
  waitMax: 64,
  /** `wait E`: `timeout 0` (never blocks). */
  waitTimeoutMs: 0,
  /** `read A`: `read A 1024`. */
  readBytes: 1024,
  /** `eventfd E`: `eventfd E 0`. */
  eventfdInit: 0,
} as const;
