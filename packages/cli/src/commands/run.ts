// `epl run FILES|DIRS…`: runs every scenario, checks every expectation, reports per file.
import type { Family } from '@epl/program';
import type { FamilyDifference, FileReport, ScenarioReport } from '@epl/runner';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { OptionReader } from '../options';

/** @epl/runner's MAX_RETRIES, without loading the runner to parse arguments. */
const MAX_RETRIES = 100;

const usage = `usage: epl run [options] FILES|DIRS…

Runs every scenario of each .epl file (folders: every *.epl below them), checks every
=> and ~> expectation against the kernel, and prints one line per file.

options:
  --workers N        worker threads (default: one per core; a run of at most 64
                     scenarios uses one native thread and no worker thread)
  --family LIST      run each scenario once per family: tcp,tcp6,unix (\`pair\` takes the
                     family); a table shows the steps where the families' results differ
  --filter TEXT      only scenarios whose title contains TEXT (case-insensitive)
  --retries N        run a scenario whose expectations failed up to N more times, whole,
                     with the same family (default 0; an error is never retried). Some
                     answers depend on timing (a delayed ACK on a loaded machine): a pass
                     on a later attempt passes, but prints a FLAKY line with its first
                     failure and counts as flaky in the summary
  --json             one JSON record per scenario per family per line (packages/runner/README.md)
  --verbose          print every scenario's transcript

exit status: 0 all passed (flaky passes too), 1 an expectation failed or a scenario
errored, 2 usage, read or compile errors.
`;

export interface RunArgs {
  files: string[];
  workers?: number;
  families?: Family[];
  filter?: string;
  retries?: number;
  json: boolean;
  verbose: boolean;
}

/** Parses `epl run` arguments; a string is a usage error. */
export function parseRunArgs(args: readonly string[]): RunArgs | string {
  const out: RunArgs = { files: [], json: false, verbose: false };
  const r = new OptionReader(args);
  while (r.next()) {
    const common = r.common(out);
    if (common === true) continue;
    if (typeof common === 'string') return common;
    switch (r.name) {
      case '--filter': {
        const v = r.value();
        if (v === undefined) return '--filter takes a text';
        out.filter = v;
        break;
      }
      case '--retries': {
        const n = r.whole(0, MAX_RETRIES);
        if (typeof n === 'string') return n;
        out.retries = n;
        break;
      }
      case '--json':
        out.json = true;
        break;
      case '--verbose':
      case '-v':
        out.verbose = true;
        break;
      default:
        if (r.isOption()) return `unknown option '${r.arg}'`;
        out.files.push(r.arg);
    }
  }
  if (out.files.length === 0) return 'no files or folders given';
  return out;
}

const colours = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', reset: '\x1b[0m' };

/** Wire expectations not checked, and why, over a whole run. */
export function wireNote(files: readonly FileReport[]): string | undefined {
  let unchecked = 0;
  let reason: string | undefined;
  for (const f of files)
    for (const s of f.scenarios) {
      unchecked += s.check.wireUnchecked;
      // From the check: reading s.result would decode every passing scenario's result.
      if (reason === undefined && !s.check.wireCaptured && s.check.error === undefined) reason = s.result.wire.reason;
    }
  if (unchecked === 0 && reason === undefined) return undefined;
  let why = reason ?? 'the wire was not captured';
  if (/CAP_NET_RAW/.test(why) && !/grant/.test(why)) why += ' (run as root or grant cap_net_raw)';
  return `wire not captured: ${why}; ${unchecked} wire expectation${unchecked === 1 ? '' : 's'} not checked`;
}

/** The steps where families differ, as an aligned table. */
export function familyTable(diffs: readonly FamilyDifference[], families: readonly Family[]): string {
  if (diffs.length === 0) return `families agree (${families.join(', ')}): no step differs\n`;
  const header = ['step', 'statement', ...families];
  const rows = diffs.map((d) => [`${d.file}:${d.line}:${d.col}`, d.op, ...families.map((f) => d.observed[f] ?? '')]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return (
    `families differ (${families.join(', ')}): ${diffs.length} step${diffs.length === 1 ? '' : 's'}\n` +
    [header, ...rows].map((r) => '  ' + line(r)).join('\n') +
    '\n'
  );
}

function scenarioHeading(s: ScenarioReport): string {
  return `${s.file}: scenario "${s.title}"${s.family !== 'tcp' ? ` [${s.family}]` : ''}`;
}

/** Shows `done/total` on a TTY stderr once a run has lasted a second; returns the updater and a stop. */
function progressLine(io: Io): { update: (done: number, total: number) => void; stop: () => void } {
  if (!io.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[Kepl run: ${done}/${total} scenarios`);
    },
    stop() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

/** The FLAKY lines of a scenario that passed after failing: where and how its first attempt failed. */
export function flakyLines(s: ScenarioReport, retries?: number, label = 'FLAKY'): string[] {
  const flaky = s.flaky;
  if (!flaky) return [];
  const of = retries !== undefined ? ` of ${retries + 1}` : '';
  const family = s.family !== 'tcp' ? ` [${s.family}]` : '';
  const lines: string[] = [];
  flaky.failures.forEach((f, k) => {
    const where = `${f.file}:${f.line}:${f.col}`;
    const arrow = f.kind === 'wire' ? '~>' : '=>';
    lines.push(
      k === 0 ? `  ${label} ${where}: scenario "${s.title}"${family}: passed on attempt ${flaky.attempts}${of}; attempt 1 failed:` : `    and at ${where}:`,
      `    expected: ${arrow} ${f.expected}`,
      `    got:      ${arrow} ${f.got}`,
    );
  });
  return lines;
}

/** Writes what a run found (per file, then the summary) and returns the exit status. */
export function present(files: readonly FileReport[], parsed: RunArgs, io: Io): number {
  const runner = require('@epl/runner') as typeof import('@epl/runner');
  const colour = !parsed.json && io.stdout.isTTY === true;
  const paint = (c: keyof typeof colours, s: string) => (colour ? colours[c] + s + colours.reset : s);
  let usageError = false;
  let failed = false;
  const out: string[] = [];
  for (const f of files) {
    if (f.error) {
      usageError = true;
      if (!parsed.json) out.push(`${paint('red', 'ERROR')} ${f.file}`);
      io.stderr.write(f.error.message + '\n');
      continue;
    }
    const bad = f.scenarios.filter((s) => !s.pass);
    if (bad.length) failed = true;
    if (parsed.json) {
      for (const s of f.scenarios) out.push(JSON.stringify(runner.toRecord(s, f.source)));
      continue;
    }
    const n = f.scenarios.length;
    const flaky = f.scenarios.filter((s) => s.flaky).length;
    const count = `${n} scenario${n === 1 ? '' : 's'}${flaky ? `, ${flaky} flaky` : ''}`;
    out.push(bad.length ? `${paint('red', 'FAIL')} ${f.file} (${bad.length} of ${count} failed)` : `${paint('green', 'PASS')} ${f.file} (${count})`);
    // Right under the file's line: a pass after a failure is a pass, never a silent one.
    for (const s of f.scenarios) out.push(...flakyLines(s, parsed.retries, paint('yellow', 'FLAKY')));
    for (const s of f.scenarios) {
      if (parsed.verbose) {
        out.push(`\n${paint('dim', scenarioHeading(s))}${s.pass ? (s.flaky ? ' ' + paint('yellow', 'FLAKY') : '') : ' ' + paint('red', 'FAILED')}`);
        out.push(runner.transcript(s.program, s.result, { indent: '  ' }).trimEnd());
        if (s.flaky) out.push(`  attempt 1 failed (passed on attempt ${s.flaky.attempts}):\n` + s.flaky.firstFailure.replace(/^(?=.)/gm, '  '));
      }
      if (s.pass) continue;
      for (const failure of s.check.failures) out.push('\n' + runner.formatFailure(s, failure, f.source).trimEnd());
      if (s.check.error !== undefined) out.push('\n' + runner.formatError(s).trimEnd());
      if (s.attempts > 1)
        out.push(`  (${s.attempts} attempts${parsed.retries !== undefined ? ` with --retries ${parsed.retries}` : ''}: every one failed; the last is shown)`);
    }
    if ((parsed.verbose || bad.length) && n) out.push('');
  }
  const all = files.flatMap((f) => f.scenarios);
  if (files.length === 0) {
    io.stderr.write(`epl run: no .epl files in ${parsed.files.join(', ')}\n`);
    return EXIT.usage;
  }
  if (parsed.filter !== undefined && all.length === 0 && !usageError) {
    io.stderr.write(`epl run: no scenario title contains '${parsed.filter}'\n`);
    return EXIT.usage;
  }
  const flaky = all.filter((s) => s.flaky).length;
  if (!parsed.json) {
    const passed = all.filter((s) => s.pass).length;
    const errored = all.filter((s) => s.check.error !== undefined).length;
    const summary = `${files.length} file${files.length === 1 ? '' : 's'}, ${all.length} scenario run${all.length === 1 ? '' : 's'}: ${passed} passed${flaky ? ` (${flaky} flaky)` : ''}, ${all.length - passed} failed${errored ? ` (${errored} errored)` : ''}`;
    out.push(summary);
    const note = wireNote(files);
    if (note) out.push(paint('yellow', note));
    if (parsed.families && parsed.families.length > 1) {
      const sources = new Map(files.filter((f) => f.source !== undefined).map((f) => [f.file, f.source as string]));
      out.push('', familyTable(runner.familyDifferences(all, sources), parsed.families).trimEnd());
    }
  } else {
    const note = wireNote(files);
    if (note) io.stderr.write(note + '\n');
    if (flaky)
      io.stderr.write(
        `epl run: ${flaky} scenario run${flaky === 1 ? '' : 's'} passed only after a retry: see "flaky" in ${flaky === 1 ? 'its record' : 'their records'}\n`,
      );
  }
  if (out.length) io.stdout.write(out.join('\n') + '\n');
  if (usageError) return EXIT.usage;
  return failed ? EXIT.failed : EXIT.ok;
}

export const command: Command = {
  summary: 'run .epl files and check every expectation against the kernel',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = parseRunArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`epl run: ${parsed}\n${usage.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    // Loaded here, not at the top: `epl --help` must not pay for it.
    const runner = require('@epl/runner') as typeof import('@epl/runner');
    const progress = progressLine(io);
    let files: FileReport[];
    try {
      files = await runner.runFiles(parsed.files, {
        workers: parsed.workers,
        families: parsed.families,
        filter: parsed.filter,
        retries: parsed.retries,
        progress: progress.update,
      });
    } finally {
      progress.stop();
    }
    return present(files, parsed, io);
  },
};
