// `epl record FILE [--write]`: runs the file and prints it back with the observed `=>` / `~>`
// filled in wherever a step had none; everything else stays byte for byte.
import { promises as fs } from 'node:fs';
import type { Family } from '@epl/program';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { OptionReader } from '../options';

const usage = `usage: epl record [options] FILE

Runs FILE and prints it with the observed results (=>) and wire (~>) filled in on every
step that had none. Comments, spacing and order stay byte for byte. ~> is written only
when the wire was captured, and only in scenarios that have TCP sockets.

options:
  --write            rewrite FILE instead of printing
  --family F         the family \`pair\` takes: tcp (default), tcp6 or unix
  --workers N        worker threads (default: one per core; a run of at most 64
                     scenarios uses one native thread and no worker thread)

exit status: 0 recorded, 1 a scenario errored or an existing expectation failed
(the output is still produced), 2 usage, read or compile errors.
`;

export const command: Command = {
  summary: 'run a file and fill in the observed => and ~> where a step has none',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    let write = false;
    const opts: { workers?: number; families?: Family[] } = {};
    const files: string[] = [];
    const r = new OptionReader(args);
    while (r.next()) {
      const common = r.common(opts);
      if (typeof common === 'string') return fail(io, common);
      if (common) {
        if (opts.families && opts.families.length !== 1) return fail(io, 'record takes one family');
      } else if (r.name === '--write' || r.name === '-w') write = true;
      else if (r.isOption()) return fail(io, `unknown option '${r.arg}'`);
      else files.push(r.arg);
    }
    const family: Family = opts.families?.[0] ?? 'tcp';
    const workers = opts.workers;
    if (files.length !== 1) return fail(io, files.length ? 'record takes one file' : 'no file given');
    const file = files[0];
    const st = await fs.stat(file).catch(() => undefined);
    if (!st?.isFile()) return fail(io, `${file}: not a file`);
    const runner = require('@epl/runner') as typeof import('@epl/runner');
    const [report] = await runner.runFiles([file], { families: [family], workers });
    if (report.error || report.source === undefined) {
      io.stderr.write((report.error?.message ?? `${file}: could not be read`) + '\n');
      return EXIT.usage;
    }
    const text = runner.record(
      report.source,
      report.scenarios.map((s) => s.program),
      report.scenarios.map((s) => s.result),
    );
    if (write) {
      if (text !== report.source) await fs.writeFile(file, text);
    } else io.stdout.write(text);
    let status: number = EXIT.ok;
    for (const s of report.scenarios) {
      if (s.pass) continue;
      status = EXIT.failed;
      for (const f of s.check.failures) io.stderr.write(runner.formatFailure(s, f, report.source).trimEnd() + '\n');
      if (s.check.error !== undefined) io.stderr.write(runner.formatError(s).trimEnd() + '\n');
    }
    const note = report.scenarios.find((s) => !s.result.wire.captured && s.result.error === undefined)?.result.wire.reason;
    if (note) io.stderr.write(`wire not captured: ${note}; no ~> recorded\n`);
    return status;
  },
};

function fail(io: Io, message: string): number {
  io.stderr.write(`epl record: ${message}\n${usage.split('\n')[0]}\n`);
  return EXIT.usage;
}
