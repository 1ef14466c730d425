// `epl compare A.json B.json…`: the steps whose answers differ between kernels, from saved
// `epl run --json` outputs of any machines.
import { readFileSync } from 'node:fs';
import type { RecordSet } from '@epl/kernels';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { readArgs } from '../options';

const usage = `usage: epl compare FILE…

Reads saved \`epl run --json\` outputs (one record per scenario per family per line, each with
the kernel release it ran on; from this machine or any other), groups the records by file,
scenario and family, and prints every step whose result or wire differs between kernels:
step, statement, and the answer under each kernel. A release found in several files gets a
column per file. The wire is compared only where every run captured it.

exit status: 0 the kernels agree, 1 they differ, 2 bad input (a file that cannot be read,
a line that is not a record, records of one kernel only).
`;

export const command: Command = {
  summary: 'compare saved `epl run --json` outputs across kernels',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const r = readArgs(args, {});
    if (typeof r === 'string' || r.positionals.length === 0) {
      io.stderr.write(`epl compare: ${typeof r === 'string' ? r : 'no files given'}\n${usage.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    const kernels = require('@epl/kernels') as typeof import('@epl/kernels');
    const sets: RecordSet[] = [];
    for (const file of r.positionals) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        io.stderr.write(`epl compare: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return EXIT.usage;
      }
      try {
        sets.push({ source: file, records: kernels.parseRecords(text, file) });
      } catch (e) {
        if (!(e instanceof kernels.RecordsError)) throw e;
        io.stderr.write(`epl compare: ${e.message}\n`);
        return EXIT.usage;
      }
    }
    const comparison = kernels.compareRecords(sets);
    if (comparison.columns.length < 2) {
      const only = comparison.columns[0]?.kernel;
      io.stderr.write(
        `epl compare: nothing to compare: ${only !== undefined ? `every record ran on ${only}` : 'no records'} (give runs from two kernels or more)\n`,
      );
      return EXIT.usage;
    }
    const n = comparison.scenarios;
    const lines = [
      kernels.differenceTable(comparison).trimEnd(),
      `${n} scenario run${n === 1 ? '' : 's'} compared across ${comparison.columns.length} kernels`,
    ];
    if (comparison.partial) lines.push(`${comparison.partial} of them missing from some runs (other --filter, --family or files): compared where present`);
    io.stdout.write(lines.join('\n') + '\n');
    return comparison.differences.length ? EXIT.failed : EXIT.ok;
  },
};
