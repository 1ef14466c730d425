// `epl run FILES|DIRS…`: runs every scenario, checks every expectation, reports per file as
// each file completes (in the order given), then the summary.
import type { Family } from '@epl/program';
import type { FamilyDifference, Scenario } from '@epl/report';
import type { FileResult, ScenarioRun } from '@epl/runner';
import type { Isolation } from '@epl/pool';
import { clearLine, painter, type Paint } from '../colour';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { RUN_OPTIONS, readArgs, runOptions, whole } from '../options';
import { REPORT_OPTIONS, REPORT_USAGE, Reports, reportPaths, wantsReports, type ReportPaths } from '../reports';

/** @epl/runner's MAX_RETRIES, without loading the runner to parse arguments. */
const MAX_RETRIES = 100;

const usage = `usage: epl run [options] FILES|DIRS…

Runs every scenario of each .epl file (folders: every *.epl below them), checks every
=> and ~> expectation against the kernel, and prints one line per file as it completes.

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
  --json             one JSON record per scenario per family per line (packages/report/README.md)
  --verbose, -v      print every scenario's transcript
${REPORT_USAGE}

exit status: 0 all passed (flaky passes too), 1 an expectation failed or a scenario
errored or was lost, 2 usage, read or compile errors, 74 the output could not be
written, 130/143 interrupted (the summary of what ran is printed first).
`;

export interface RunArgs {
  files: string[];
  workers?: number;
  families?: Family[];
  filter?: string;
  retries?: number;
  json: boolean;
  verbose: boolean;
  reports?: ReportPaths;
}

/** Parses `epl run` arguments; a string is a usage error. */
export function parseRunArgs(args: readonly string[]): RunArgs | string {
  const r = readArgs(args, {
    ...RUN_OPTIONS,
    filter: { type: 'string' },
    retries: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    ...REPORT_OPTIONS,
  });
  if (typeof r === 'string') return r;
  const common = runOptions(r.values);
  if (typeof common === 'string') return common;
  const out: RunArgs = { files: r.positionals, ...common, json: r.values.json === true, verbose: r.values.verbose === true };
  if (r.values.filter !== undefined) out.filter = r.values.filter;
  const reports = reportPaths(r.values);
  if (typeof reports === 'string') return reports;
  if (wantsReports(reports)) out.reports = reports;
  if (r.values.retries !== undefined) {
    const n = whole('--retries', r.values.retries, 0, MAX_RETRIES);
    if (typeof n === 'string') return n;
    out.retries = n;
  }
  if (out.files.length === 0) return 'no files or folders given';
  return out;
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

/** Shows `done/total` on a terminal stderr once a run has lasted a second; returns the updater and a stop. */
function progressLine(io: Io): { update: (done: number, total: number) => void; stop: () => void } {
  const clear = clearLine(io.stderr);
  if (!clear) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`${clear}epl run: ${done}/${total} scenarios`);
    },
    stop() {
      if (shown) io.stderr.write(clear);
    },
  };
}

/** The FLAKY lines of a scenario that passed after failing: where and how its first attempt failed. */
export function flakyLines(s: ScenarioRun, retries?: number, label = 'FLAKY'): string[] {
  const flaky = s.flaky;
  if (!flaky) return [];
  const report = require('@epl/report') as typeof import('@epl/report');
  const of = retries !== undefined ? ` of ${retries + 1}` : '';
  const family = s.family !== 'tcp' ? ` [${s.family}]` : '';
  const lines: string[] = [];
  flaky.first.outcome.failures.forEach((f, k) => {
    const where = `${f.file}:${f.line}:${f.col}`;
    const arrow = f.kind === 'wire' ? '~>' : '=>';
    const { expected, got } = report.failureTexts(s.program, f);
    lines.push(
      k === 0
        ? `  ${label} ${where}: scenario "${s.program.title}"${family}: passed on attempt ${flaky.attempts}${of}; attempt 1 failed:`
        : `    and at ${where}:`,
      `    expected: ${arrow} ${expected}`,
      `    got:      ${arrow} ${got}`,
    );
  });
  return lines;
}

/** Counts over a run, for the summary and the notes. */
interface Tally {
  files: number;
  runs: number;
  passed: number;
  flaky: number;
  errored: number;
  lost: number;
  wireUnchecked: number;
  captureReason?: string;
  noNetns: boolean;
  usageError: boolean;
  failed: boolean;
  diffs: FamilyDifference[];
}

/**
 * Writes what a run finds: each file as it completes (text or JSON lines), then the summary.
 * `file()` for each file, `finish()` at the end (it returns the exit status).
 */
export class Presenter {
  private readonly report = require('@epl/report') as typeof import('@epl/report');
  private readonly paint: Paint;
  private readonly tally: Tally = {
    files: 0,
    runs: 0,
    passed: 0,
    flaky: 0,
    errored: 0,
    lost: 0,
    wireUnchecked: 0,
    noNetns: false,
    usageError: false,
    failed: false,
    diffs: [],
  };
  isolation?: Isolation;
  /** The records for --html, --junit, --tap, when asked. */
  readonly reports?: Reports;

  constructor(
    private readonly parsed: RunArgs,
    private readonly io: Io,
  ) {
    this.paint = parsed.json ? (_c, t) => t : painter(io.stdout);
    if (parsed.reports) this.reports = new Reports(parsed.reports, `epl run ${parsed.files.join(' ')}`);
  }

  file(f: FileResult): void {
    const { parsed, io, paint, tally, report } = this;
    tally.files++;
    const out: string[] = [];
    if (f.error) {
      tally.usageError = true;
      if (!parsed.json) out.push(`${paint('red', 'ERROR')} ${f.file}`);
      io.stderr.write(f.error.message + '\n');
      if (out.length) io.stdout.write(out.join('\n') + '\n');
      return;
    }
    const all = f.scenarios as readonly Scenario[];
    this.reports?.add(
      all.map((s) => report.toRecord(s, f.source)),
      f.file,
      f.source,
    );
    for (const s of f.scenarios) {
      tally.runs++;
      const o = s.outcome;
      if (o.status === 'passed') tally.passed++;
      else tally.failed = true;
      if (o.status === 'errored') tally.errored++;
      if (o.status === 'lost') tally.lost++;
      if (s.flaky) tally.flaky++;
      tally.wireUnchecked += o.wireUnchecked;
      if (!o.wireCaptured && o.status !== 'lost') tally.captureReason ??= o.captureReason;
      if (!o.netns && o.status !== 'lost') tally.noNetns = true;
    }
    if (parsed.families && parsed.families.length > 1)
      tally.diffs.push(...report.familyDifferences(all, new Map(f.source !== undefined ? [[f.file, f.source]] : [])));
    if (parsed.json) {
      for (const s of all) out.push(JSON.stringify(report.toRecord(s, f.source)));
      if (out.length) io.stdout.write(out.join('\n') + '\n');
      return;
    }
    const bad = f.scenarios.filter((s) => s.outcome.status !== 'passed');
    const n = f.scenarios.length;
    const flaky = f.scenarios.filter((s) => s.flaky).length;
    const count = `${n} scenario${n === 1 ? '' : 's'}${flaky ? `, ${flaky} flaky` : ''}`;
    out.push(bad.length ? `${paint('red', 'FAIL')} ${f.file} (${bad.length} of ${count} failed)` : `${paint('green', 'PASS')} ${f.file} (${count})`);
    // Right under the file's line: a pass after a failure is a pass, never a silent one.
    for (const s of f.scenarios) out.push(...flakyLines(s, parsed.retries, paint('yellow', 'FLAKY')));
    for (const s of f.scenarios) {
      const cut = report.truncationText(s.outcome);
      if (cut !== undefined) out.push(`  ${paint('yellow', 'NOTE')} ${f.file}: ${report.scenarioName(s)}: ${cut}`);
    }
    for (const s of all) {
      const status = s.outcome.status;
      if (parsed.verbose && s.view) {
        const mark = status === 'passed' ? (s.flaky ? ' ' + paint('yellow', 'FLAKY') : '') : ' ' + paint('red', 'FAILED');
        out.push(`\n${paint('dim', `${f.file}: ${report.scenarioName(s)}`)}${mark}`);
        out.push(report.transcript(s.program, s.view, { indent: '  ' }).trimEnd());
        const first = report.firstAttempt(s);
        if (first)
          out.push(`  attempt 1 failed (passed on attempt ${s.flaky?.attempts ?? 2}):\n` + report.scenarioText(first, f.source).replace(/^(?=.)/gm, '  '));
      }
      if (status === 'passed') continue;
      out.push('\n' + report.scenarioText(s, f.source));
      if (s.attempts > 1)
        out.push(`  (${s.attempts} attempts${parsed.retries !== undefined ? ` with --retries ${parsed.retries}` : ''}: every one failed; the last is shown)`);
    }
    if ((parsed.verbose || bad.length) && n) out.push('');
    io.stdout.write(out.join('\n') + '\n');
  }

  /** The notes of a whole run: what could not be checked or isolated, and why. */
  notes(): string[] {
    const { tally } = this;
    const notes: string[] = [];
    if (tally.wireUnchecked > 0 || tally.captureReason !== undefined) {
      let why = tally.captureReason ?? 'the wire was not captured';
      if (/CAP_NET_RAW/.test(why) && !/grant/.test(why)) why += ' (run as root or grant cap_net_raw)';
      notes.push(`wire not captured: ${why}; ${tally.wireUnchecked} wire expectation${tally.wireUnchecked === 1 ? '' : 's'} not checked`);
    }
    if (tally.noNetns) {
      // The executor's reason says what was refused and that runs used the host loopback.
      notes.push(`no private network namespace: ${this.isolation?.reason ?? 'creating one was refused, so runs used the host loopback'}`);
    }
    return notes;
  }

  /** The summary, then the exit status. `interrupted`: how the run was stopped, when it was. */
  finish(interrupted?: { done: number; total: number }): number {
    const { parsed, io, tally, paint } = this;
    const lines: string[] = [];
    if (parsed.filter !== undefined && tally.runs === 0 && !tally.usageError && !interrupted) {
      io.stderr.write(`epl run: no scenario title contains '${parsed.filter}'\n`);
      return EXIT.usage;
    }
    if (!parsed.json) {
      const failed = tally.runs - tally.passed;
      const why = [tally.errored ? `${tally.errored} errored` : '', tally.lost ? `${tally.lost} lost` : ''].filter(Boolean).join(', ');
      lines.push(
        `${tally.files} file${tally.files === 1 ? '' : 's'}, ${tally.runs} scenario run${tally.runs === 1 ? '' : 's'}: ${tally.passed} passed${tally.flaky ? ` (${tally.flaky} flaky)` : ''}, ${failed} failed${why ? ` (${why})` : ''}` +
          (interrupted ? `; stopped before the end (${interrupted.done} of ${interrupted.total} scenario runs done)` : ''),
      );
      for (const note of this.notes()) lines.push(paint('yellow', note));
      if (parsed.families && parsed.families.length > 1 && !interrupted) lines.push('', familyTable(tally.diffs, parsed.families).trimEnd());
      io.stdout.write(lines.join('\n') + '\n');
    } else {
      for (const note of this.notes()) io.stderr.write(note + '\n');
      if (tally.flaky)
        io.stderr.write(
          `epl run: ${tally.flaky} scenario run${tally.flaky === 1 ? '' : 's'} passed only after a retry: see "flaky" in ${tally.flaky === 1 ? 'its record' : 'their records'}\n`,
        );
    }
    if (tally.usageError) return EXIT.usage;
    return tally.failed ? EXIT.failed : EXIT.ok;
  }
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
    const presenter = new Presenter(parsed, io);
    let done = 0;
    let total = 0;
    try {
      for await (const f of runner.runFiles(parsed.files, {
        workers: parsed.workers,
        families: parsed.families,
        filter: parsed.filter,
        retries: parsed.retries,
        keep: parsed.json || parsed.verbose || parsed.reports || (parsed.families?.length ?? 0) > 1 ? 'all' : 'failures',
        progress: (d, t) => {
          done = d;
          total = t;
          progress.update(d, t);
        },
        isolation: (iso) => (presenter.isolation = iso),
        signal: io.signal,
      })) {
        progress.stop();
        presenter.file(f);
      }
    } finally {
      progress.stop();
    }
    const status = presenter.finish(io.signal?.aborted ? { done, total } : undefined);
    return (await presenter.reports?.write(io, 'run')) ?? status;
  },
};
