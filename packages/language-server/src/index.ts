// @epl/language-server: the EPL language server (bin: epl-language-server) and its parts.
export { startServer, documentPath, RUN_FILE_COMMAND } from './server';
export { RunCache, loadRunner } from './run-cache';
export type { StepObservation, RunFailure, RunSummary } from './run-cache';
export { analyze } from './analysis';
export { diagnose } from './diagnostics';
export { STATEMENT_KEYWORDS, OTHER_KEYWORDS, EPOLL_FLAG_WORDS, SHUT_WORDS, ERRNO_WORDS, nameRoles } from './words';
export type { NameRole } from './words';
export type { Analysis, Statement, Block, Word, NameUse } from './analysis';
export { spawnServer, SERVER_MAIN } from './client';
export type { SpawnedServer, RpcConnection, PublishedDiagnostics } from './client';
