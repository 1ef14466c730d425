// `epl record FILE [--write]`: runs the file and prints it back with the observed `=>` / `~>`
// filled in wherever a step had none; everything else stays byte for byte.
import { promises as fs } from 'node:fs';
import type { Family } from '@epl/program';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { RUN_OPTIONS, readArgs, runOptions } from '../options';
import { REPORT_OPTIONS, REPORT_USAGE, Reports, reportPaths, wantsReports } from '../reports';

const usage = `usage: epl record [options] FILE

Runs FILE and prints it with the observed results (=>) and wire (~>) filled in on every
step that had none. Comments, spacing and order stay byte for byte. ~> is written only
when the wire was captured, and only in scenarios that have TCP sockets.

options:
  --write, -w        rewrite FILE instead of printing
  --family F         the family \`pair\` takes: tcp (default), tcp6 or unix
  --workers N        worker threads (default: one per core; a run of at most 64
                     scenarios uses one native thread and no worker thread)
${REPORT_USAGE}

exit status: 0 recorded, 1 a scenario errored or an existing expectation failed
(the output is still produced), 2 usage, read or compile errors, 74 the file or the
output could not be written.
`;

export const command: Command = {
  summary: 'run a file and fill in the observed => and ~> where a step has none',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const r = readArgs(args, { ...RUN_OPTIONS, ...REPORT_OPTIONS, write: { type: 'boolean', short: 'w' } });
    if (typeof r === 'string') return fail(io, r);
    const opts = runOptions(r.values);
    if (typeof opts === 'string') return fail(io, opts);
    if (opts.families && opts.families.length !== 1) return fail(io, 'record takes one family');
    const paths = reportPaths(r.values);
    if (typeof paths === 'string') return fail(io, paths);
    const family: Family = opts.families?.[0] ?? 'tcp';
    const files = r.positionals;
    if (files.length !== 1) return fail(io, files.length ? 'record takes one file' : 'no file given');
    const file = files[0];
    const st = await fs.stat(file).catch(() => undefined);
    if (!st?.isFile()) return fail(io, `${file}: not a file`);
    const runner = require('@epl/runner') as typeof import('@epl/runner');
    const report = require('@epl/report') as typeof import('@epl/report');
    let result: import('@epl/runner').FileResult | undefined;
    for await (const f of runner.runFiles([file], { families: [family], workers: opts.workers, keep: 'all', signal: io.signal })) result = f;
    if (!result) return EXIT.failed;
    if (result.error || result.source === undefined) {
      io.stderr.write((result.error?.message ?? `${file}: could not be read`) + '\n');
      return EXIT.usage;
    }
    const ran = result.scenarios.filter((s) => s.view !== undefined);
    const text = report.record(
      result.source,
      ran.map((s) => s.program),
      ran.map((s) => s.view!),
    );
    if (r.values.write === true) {
      if (text !== result.source) {
        try {
          await fs.writeFile(file, text);
        } catch (e) {
          io.stderr.write(`epl record: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
          return EXIT.output;
        }
      }
    } else io.stdout.write(text);
    let status: number = EXIT.ok;
    for (const s of result.scenarios) {
      if (s.outcome.status === 'passed') continue;
      status = EXIT.failed;
      io.stderr.write(report.scenarioText(s, result.source) + '\n');
    }
    if (wantsReports(paths)) {
      const reports = new Reports(paths, `epl record ${file}`);
      reports.add(
        result.scenarios.map((s) => report.toRecord(s, result.source)),
        result.file,
        result.source,
      );
      const written = await reports.write(io, 'record');
      if (written !== undefined) return written;
    }
    const note = result.scenarios.find((s) => !s.outcome.wireCaptured && s.outcome.status !== 'lost')?.outcome.captureReason;
    if (note) io.stderr.write(`wire not captured: ${note}; no ~> recorded\n`);
    return status;
  },
};

function fail(io: Io, message: string): number {
  io.stderr.write(`epl record: ${message}\n${usage.split('\n')[0]}\n`);
  return EXIT.usage;
}
