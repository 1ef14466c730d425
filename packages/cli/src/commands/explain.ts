// `epl explain FILES|DIRS…`: runs every scenario on the kernel and in the model (@epl/model),
// and prints the transcript with the model's account under every step: the rule behind each
// result, why each flag of a wait is set and why a registration was not reported, why each
// segment left. A step where model and kernel disagree is marked with both answers.
import type { Family } from '@epl/program';
import type { ExplainOptions } from '@epl/report';
import { painter } from '../colour';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { RUN_OPTIONS, readArgs, runOptions } from '../options';
import { REPORT_OPTIONS, REPORT_USAGE, Reports, reportPaths, wantsReports, type ReportPaths } from '../reports';

const usage = `usage: epl explain [options] FILES|DIRS…

Runs every scenario of each .epl file on the kernel and in the model of its semantics, and
prints each step with the kernel's answer and the model's account of it: the rule that gave
the result, why each flag of a wait is set and why a registration was not reported, why each
segment left. A step where the model and the kernel disagree is marked ✗ with both answers.

options:
  --family LIST      run each scenario once per family: tcp,tcp6,unix (default tcp)
  --state            also print the model's objects after each step: the fd table, each
                     file (kind, open count, bytes queued, TCP state, shutdown), each
                     epoll's interest list and ready list
  --json             one JSON record per scenario per family per line (packages/report/README.md)
  --filter TEXT      only scenarios whose title contains TEXT (case-insensitive)
  --workers N        worker threads (default: one per core; a run of at most 64
                     scenarios uses one native thread and no worker thread)
${REPORT_USAGE}
                     (the HTML page shows the model's reasons under each statement)

exit status: 0 the model agrees with the kernel on every step, 1 a step disagrees (or a
scenario errored or was lost), 2 usage, read or compile errors, 74 an output could not be
written, 130/143 interrupted.
`;

export interface ExplainArgs {
  files: string[];
  workers?: number;
  families?: Family[];
  filter?: string;
  state: boolean;
  json: boolean;
  reports: ReportPaths;
}

/** Parses `epl explain` arguments; a string is a usage error. */
export function parseExplainArgs(args: readonly string[]): ExplainArgs | string {
  const r = readArgs(args, {
    ...RUN_OPTIONS,
    ...REPORT_OPTIONS,
    filter: { type: 'string' },
    state: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (typeof r === 'string') return r;
  const common = runOptions(r.values);
  if (typeof common === 'string') return common;
  const reports = reportPaths(r.values);
  if (typeof reports === 'string') return reports;
  const out: ExplainArgs = { files: r.positionals, ...common, state: r.values.state === true, json: r.values.json === true, reports };
  if (r.values.filter !== undefined) out.filter = r.values.filter;
  if (out.files.length === 0) return 'no files or folders given';
  return out;
}

/** Runs `epl explain` with parsed arguments; `model` reaches @epl/model's options (tests plant a disagreement through it). */
export async function explainFiles(parsed: ExplainArgs, io: Io, model: ExplainOptions = {}): Promise<number> {
  // Loaded here, not at the top: `epl --help` must not pay for them.
  const runner = require('@epl/runner') as typeof import('@epl/runner');
  const report = require('@epl/report') as typeof import('@epl/report');
  const paint = parsed.json ? undefined : painter(io.stdout);
  const reports = wantsReports(parsed.reports) ? new Reports(parsed.reports, `epl explain ${parsed.files.join(' ')}`) : undefined;
  let usageError = false;
  let runs = 0;
  let steps = 0;
  let disagreeing = 0;
  let failedRuns = 0;
  let stopped = 0;
  let disagreeingRuns = 0;
  let captureReason: string | undefined;
  for await (const f of runner.runFiles(parsed.files, {
    workers: parsed.workers,
    families: parsed.families,
    filter: parsed.filter,
    keep: 'all',
    signal: io.signal,
  })) {
    if (f.error) {
      usageError = true;
      io.stderr.write(f.error.message + '\n');
      continue;
    }
    const out: string[] = [];
    const records: import('@epl/report').AnyScenarioRecord[] = [];
    for (const s of f.scenarios) {
      const e = report.explainScenario(s, f.source, model);
      runs++;
      steps += e.steps.length;
      disagreeing += e.disagreements;
      if (!e.agrees) failedRuns++;
      if (e.error !== undefined) stopped++;
      if (e.disagreements) disagreeingRuns++;
      if (s.view && !s.view.captured) captureReason ??= s.view.captureReason;
      out.push(parsed.json ? JSON.stringify(report.explainRecord(e, { state: parsed.state })) : report.explainText(e, { state: parsed.state, paint }));
      if (reports) records.push(report.explainReportRecord(e, f.source));
    }
    reports?.add(records, f.file, f.source);
    if (out.length) io.stdout.write(out.join('\n') + (parsed.json ? '\n' : ''));
  }
  if (parsed.filter !== undefined && runs === 0 && !usageError && !io.signal?.aborted) {
    io.stderr.write(`epl explain: no scenario title contains '${parsed.filter}'\n`);
    return EXIT.usage;
  }
  const note = captureReason !== undefined ? `wire not captured: ${captureReason}; the wire is not compared` : undefined;
  if (parsed.json) {
    if (note) io.stderr.write(note + '\n');
  } else {
    const p = paint ?? ((_c: string, t: string) => t);
    const agree = disagreeing === 0 && failedRuns === 0;
    const what = `${runs} scenario run${runs === 1 ? '' : 's'}, ${steps} step${steps === 1 ? '' : 's'}`;
    io.stdout.write(
      (agree
        ? p('green', `${what}: the model agrees with the kernel on every step`)
        : p(
            'red',
            `${what}: ${disagreeing} step${disagreeing === 1 ? '' : 's'} where the model and the kernel disagree` +
              (disagreeing ? `, in ${disagreeingRuns} scenario run${disagreeingRuns === 1 ? '' : 's'}` : '') +
              (stopped ? `; ${stopped} scenario run${stopped === 1 ? '' : 's'} did not complete` : ''),
          )) +
        (io.signal?.aborted ? '; stopped before the end' : '') +
        '\n' +
        (note ? p('yellow', note) + '\n' : ''),
    );
  }
  const written = await reports?.write(io, 'explain');
  if (written !== undefined) return written;
  if (usageError) return EXIT.usage;
  return failedRuns ? EXIT.failed : EXIT.ok;
}

export const command: Command = {
  summary: 'run .epl files on the kernel and in the model, and explain every step',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = parseExplainArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`epl explain: ${parsed}\n${usage.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    return explainFiles(parsed, io);
  },
};
