// The language server as an editor sees it, on scenarios/founding/founding.epl (78 lines):
//   lsp_start_ms               spawn of bin/epl-language-server to its answer to `initialize` (median of 10)
//   lsp_node_startup_ms        `node -e 0` in the same environment (median of 10): Node's own share of the above
//   lsp_first_diagnostics_ms   spawn to the first diagnostics of the opened file (median of 10)
//   lsp_diagnostics_ms         one edit (didChange) to the diagnostics of that version (median
//                              of 400 edits, each waited for; they alternate between breaking a
//                              name and fixing it, so every publication says something new)
//   lsp_diagnostics_p90_ms     the 90th percentile of the same
//   lsp_compile_ms             the share of the compiler: diagnose() of the same text, in process (median)
//   lsp_completion_ms          a completion request's round trip, names in scope (median of 400)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnose, spawnServer } from '@epl/language-server';
import type { SpawnedServer } from '@epl/language-server';
import type { Bench } from '../bench';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const FOUNDING = path.join(ROOT, 'scenarios', 'founding', 'founding.epl');
const URI = 'file://' + FOUNDING;
const EDITS = 400;
const STARTS = 10;

const ms = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;
const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

async function initialize(server: SpawnedServer): Promise<void> {
  await server.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await server.connection.sendNotification('initialized', {});
}

async function starts(text: string): Promise<{ start: number[]; first: number[] }> {
  const start: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = process.hrtime.bigint();
    const server = spawnServer();
    await initialize(server);
    start.push(ms(t0));
    const published = server.nextDiagnostics(URI);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'epl', version: 1, text } });
    await published;
    first.push(ms(t0));
    await server.stop();
  }
  return { start, first };
}

export const bench: Bench = {
  id: 'lsp',
  async run(report) {
    const text = fs.readFileSync(FOUNDING, 'utf8');
    const { start, first } = await starts(text);
    report('lsp_start_ms', Math.round(quantile(start, 0.5)), 'ms');
    report('lsp_first_diagnostics_ms', Math.round(quantile(first, 0.5)), 'ms');
    const node: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0']);
      node.push(ms(t0));
    }
    report('lsp_node_startup_ms', Math.round(quantile(node, 0.5)), 'ms');

    const server = spawnServer();
    await initialize(server);
    let version = 1;
    const opened = server.nextDiagnostics(URI);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'epl', version, text } });
    await opened;
    // The `5` of `shutdown 5 RD` in the first block: an `8` there is an unknown name.
    const line = text.split('\n').findIndex((l) => l.includes('shutdown 5 RD'));
    const character = text.split('\n')[line].indexOf('5');
    const range = { start: { line, character }, end: { line, character: character + 1 } };
    const latencies: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const v = ++version;
      const published = server.nextDiagnostics(URI, (p) => p.version === v);
      const t0 = process.hrtime.bigint();
      await server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: URI, version: v },
        contentChanges: [{ range, text: i % 2 === 0 ? '8' : '5' }],
      });
      const { diagnostics } = await published;
      latencies.push(ms(t0));
      if (diagnostics.length !== (i % 2 === 0 ? 1 : 0)) throw new Error(`edit ${i}: unexpected diagnostics ${JSON.stringify(diagnostics)}`);
    }
    report('lsp_diagnostics_ms', quantile(latencies, 0.5), 'ms');
    report('lsp_diagnostics_p90_ms', quantile(latencies, 0.9), 'ms');

    const compiles: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const t0 = process.hrtime.bigint();
      diagnose(text, FOUNDING);
      compiles.push(ms(t0));
    }
    report('lsp_compile_ms', quantile(compiles, 0.5), 'ms');

    const completions: number[] = [];
    const close = text.split('\n').findIndex((l) => l.includes('close 7'));
    for (let i = 0; i < EDITS; i++) {
      const t0 = process.hrtime.bigint();
      await server.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position: { line: close, character: 8 } });
      completions.push(ms(t0));
    }
    report('lsp_completion_ms', quantile(completions, 0.5), 'ms');
    await server.stop();
  },
};
