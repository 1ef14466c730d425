// @epl/pool: runs Programs on isolated threads (worker threads, or for small runs one native
// thread) and streams their results back. Transport only: it never judges a result.
// The worker module (./worker) is not exported from here: it must only load on pool threads.
export { Pool } from './pool';
export type { PoolOptions } from './pool';
export { Lane } from './lane';
export type { Job, Ran, RunOptions, Runner } from './ran';
export type { Isolation } from './protocol';
export { TEST_CRASH_OPCODE } from './protocol';
