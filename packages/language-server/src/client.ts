// A client for a language server spawned over stdio, driving it as an editor would: the
// tests and the bench use it (a tool may too). It speaks plain JSON-RPC through the protocol
// package's connection: nothing of the server's own code is involved. Its types are its own
// and vscode-languageserver-types': they read the same under every module resolution.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createProtocolConnection } from 'vscode-languageserver/node';
import type { Diagnostic } from 'vscode-languageserver-types';

/** The built server, as its bin runs it. */
export const SERVER_MAIN = path.join(__dirname, '..', 'bin', 'epl-language-server');

/** The JSON-RPC calls a client makes. */
export interface RpcConnection {
  sendRequest<R>(method: string, params?: object): Promise<R>;
  sendNotification(method: string, params?: object): Promise<void>;
}

/** textDocument/publishDiagnostics. */
export interface PublishedDiagnostics {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: Diagnostic[];
}

export interface SpawnedServer {
  readonly connection: RpcConnection;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  /** The messages the server logged (window/logMessage), with their type (1 error … 4 log). */
  logs(): readonly { readonly type: number; readonly message: string }[];
  /** Resolves with the next publishDiagnostics for `uri` that satisfies `accept`. */
  nextDiagnostics(uri: string, accept?: (p: PublishedDiagnostics) => boolean): Promise<PublishedDiagnostics>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** shutdown + exit, then waits for the process (killing it after `ms`). */
  stop(ms?: number): Promise<number | null>;
}

/** Spawns `node main [args]` and connects to its stdio. */
export function spawnServer(main: string = SERVER_MAIN, args: readonly string[] = ['--stdio']): SpawnedServer {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(child.stdout, child.stdin);
  const logs: { type: number; message: string }[] = [];
  connection.onNotification('window/logMessage', (p: { type: number; message: string }) => {
    logs.push(p);
  });
  const waiting: { uri: string; accept: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
    const i = waiting.findIndex((w) => w.uri === p.uri && w.accept(p));
    if (i >= 0) waiting.splice(i, 1)[0].resolve(p);
  });
  connection.listen();
  return {
    connection,
    stderr: () => stderr,
    logs: () => logs,
    nextDiagnostics: (uri, accept = () => true) => new Promise((resolve) => waiting.push({ uri, accept, resolve })),
    exited,
    async stop(ms = 2000) {
      const kill = setTimeout(() => child.kill('SIGKILL'), ms);
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // Already gone: the exit code tells.
      }
      const code = await exited;
      clearTimeout(kill);
      connection.dispose();
      return code;
    },
  };
}
