// @epl/runner: the file orchestrator. Paths in; each file read, compiled, every scenario ×
// family run on one Runner (@epl/pool), checked (@epl/check), retried when asked; one result
// per file out, in order. The CLI and the jest runner both stand on it.
export { runFiles, checkRetries, LANE_MAX_SCENARIOS, MAX_RETRIES } from './run-files';
export type { RunFilesOptions, FileEntry, FileResult, FileError, ScenarioRun, Attempt } from './run-files';
export { expandPaths } from './paths';
export type { Expanded } from './paths';
