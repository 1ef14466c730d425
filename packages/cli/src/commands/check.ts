// `epl check FILE…`: parse and compile, run nothing. Folders are searched for *.epl files the
// way every command searches them (@epl/runner's expandPaths).
import { compile, readSource } from '@epl/compiler';
import { SourceError } from '@epl/program';
import { expandPaths } from '@epl/runner';
import { EXIT, type Command, type Io } from '../command';
import { readArgs } from '../options';

const usage = `usage: epl check FILE|DIR…

Parses and compiles .epl files without running them (folders: every *.epl below them,
following symbolic links). Prints one summary line when all are valid; otherwise each
file's first error (file:line:col: message, the line, a caret) and exits 2.
`;

export const command: Command = {
  summary: 'parse and compile .epl files without running them',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const r = readArgs(args, {});
    if (typeof r === 'string') {
      io.stderr.write(`epl check: ${r}\n${usage}`);
      return EXIT.usage;
    }
    if (r.positionals.length === 0) {
      io.stderr.write(usage);
      return EXIT.usage;
    }
    const { files, errors } = expandPaths(r.positionals);
    for (const e of errors) io.stderr.write(`${e.path}: ${e.message}\n`);
    let scenarios = 0;
    let steps = 0;
    let failed = errors.length;
    for (const file of files) {
      let source: string;
      try {
        source = readSource(file);
      } catch (e) {
        io.stderr.write(e instanceof SourceError ? e.frame + '\n' : `${file}: ${(e as Error).message}\n`);
        failed++;
        continue;
      }
      try {
        const programs = compile(source, file);
        scenarios += programs.length;
        for (const p of programs) steps += p.steps.length;
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        io.stderr.write(e.frame + '\n');
        failed++;
      }
    }
    if (failed > 0) {
      io.stderr.write(`${failed} of ${plural(files.length + errors.length, 'file')} failed\n`);
      return EXIT.usage;
    }
    io.stdout.write(`${plural(files.length, 'file')}, ${plural(scenarios, 'scenario')}, ${plural(steps, 'step')}: ok\n`);
    return EXIT.ok;
  },
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
