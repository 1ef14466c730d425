// What every `epl` subcommand module exports.
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Stops a long command (SIGINT, SIGTERM, a closed stdout): it finishes what it can say and returns. */
  readonly signal?: AbortSignal;
}

export interface Command {
  /** One line for `epl --help`. */
  readonly summary: string;
  /** Full usage text for `epl CMD --help`. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: Io): Promise<number>;
}

/**
 * Exit codes shared by every command: 0 ok, 1 an expectation failed (or a scenario errored or
 * was lost), 2 usage, read or compile errors, 74 output could not be written (sysexits'
 * EX_IOERR), 130/143 stopped by SIGINT/SIGTERM (128 + the signal), 141 stdout was closed.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, output: 74, interrupted: 130, terminated: 143, closed: 141 } as const;

/** A write error's one line: `ENOSPC (no space left on device)`. */
export function describeWriteError(e: NodeJS.ErrnoException): string {
  const text: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EIO: 'input/output error',
    EBADF: 'not open for writing',
    EACCES: 'permission denied',
    ENOENT: 'no such folder',
    EISDIR: 'is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    EROFS: 'read-only file system',
  };
  return e.code ? `${e.code}${text[e.code] ? ` (${text[e.code]})` : ''}` : e.message;
}
