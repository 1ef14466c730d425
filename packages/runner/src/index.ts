// @epl/runner: run Programs on isolated workers, check them, report them.
// The worker module (./worker) is not exported from here: it must only load on pool threads.
export { Pool } from './pool';
export { Lane } from './lane';
export { errorResult } from './batch';
export type { PoolOptions, RunOptions, PoolResult, Isolation } from './pool';
export { check, checkOutcome, resultMatches, wireMatches } from './check';
export { checkRaw } from './check-raw';
export type { CheckResult, StepCheck, Failure, Verdict } from './check';
export { transcript, stepLine, describeStep } from './transcript';
export type { TranscriptOptions } from './transcript';
export { record, observedSuffix, firstTcpOp } from './record';
export { runFiles, expandPaths, LANE_MAX_SCENARIOS } from './run-files';
export type { RunFilesOptions } from './run-files';
export { runRetrying, retryable, checkRetries, MAX_RETRIES } from './retry';
export type { ProgramPool, RetryOptions, Attempt, Retried } from './retry';
export { toRecord, formatFailure, formatFailures, formatError, familyDifferences, stepText } from './report';
export type { ScenarioReport, Flaky, FileReport, FileError, ScenarioRecord, StepRecord, FamilyDifference } from './report';
export { quoteBytes, formatReady, formatSegment, formatWire, formatExpect, formatWireExpect, formatObserved, slotName, MAX_RECORDED_READ } from './render';
export { TEST_CRASH_OPCODE } from './protocol';
