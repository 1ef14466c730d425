// `epl check FILE…`: parse and compile, run nothing. Directories are searched for *.epl files.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compile, readSource } from '@epl/compiler';
import { SourceError } from '@epl/program';
import { EXIT, type Command, type Io } from '../command';

const usage = `usage: epl check FILE|DIR…

Parses and compiles .epl files without running them (directories: every *.epl inside,
recursively). Prints one summary line when all are valid; otherwise each file's first
error (file:line:col: message, the line, a caret) and exits 2.
`;

export const command: Command = {
  summary: 'parse and compile .epl files without running them',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const unknown = args.find((a) => a.startsWith('-') && a !== '-');
    if (unknown) {
      io.stderr.write(`epl check: unknown option '${unknown}'\n${usage}`);
      return EXIT.usage;
    }
    if (args.length === 0) {
      io.stderr.write(usage);
      return EXIT.usage;
    }
    let files: string[];
    try {
      files = args.flatMap(expand);
    } catch (e) {
      io.stderr.write(`epl check: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    let scenarios = 0;
    let steps = 0;
    let failed = 0;
    for (const file of files) {
      let source: string;
      try {
        source = readSource(file);
      } catch (e) {
        io.stderr.write(e instanceof SourceError ? e.frame + '\n' : `epl check: cannot read '${file}': ${reason(e)}\n`);
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
      io.stderr.write(`${failed} of ${plural(files.length, 'file')} failed\n`);
      return EXIT.usage;
    }
    io.stdout.write(`${plural(files.length, 'file')}, ${plural(scenarios, 'scenario')}, ${plural(steps, 'step')}: ok\n`);
    return EXIT.ok;
  },
};

/** A file as given; a directory as its *.epl files, sorted, recursively. Throws for a missing path. */
function expand(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new Error(`cannot read '${path}': ${reason(e)}`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) out.push(...expand(p));
    else if (entry.name.endsWith('.epl')) out.push(p);
  }
  return out;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
