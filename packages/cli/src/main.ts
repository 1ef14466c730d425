// `epl CMD …`: dispatches to one module per command (src/commands/CMD.ts), and owns the process
// around it: a closed stdout ends the run quietly, a failed write is a one-line error, SIGINT and
// SIGTERM let the command finish what it can say (the summary of what ran) before exiting.
import type { Command, Io } from './command';
import { EXIT, describeWriteError } from './command';

// Loaded on demand so `epl check` never pays for loading the native executor.
const COMMANDS: Record<string, () => Command> = {
  // commands register here: name: () => (require('./commands/NAME') as typeof import('./commands/NAME')).command,
  check: () => (require('./commands/check') as typeof import('./commands/check')).command,
  run: () => (require('./commands/run') as typeof import('./commands/run')).command,
  record: () => (require('./commands/record') as typeof import('./commands/record')).command,
  explain: () => (require('./commands/explain') as typeof import('./commands/explain')).command,
  fuzz: () => (require('./commands/fuzz') as typeof import('./commands/fuzz')).command,
  kernels: () => (require('./commands/kernels') as typeof import('./commands/kernels')).command,
  compare: () => (require('./commands/compare') as typeof import('./commands/compare')).command,
};

function help(): string {
  const rows = Object.entries(COMMANDS).map(([name, load]) => `  ${name.padEnd(8)} ${load().summary}`);
  return ['usage: epl COMMAND [options] [FILES…]', '', 'commands:', ...rows, '', 'epl COMMAND --help shows the options of one command.'].join('\n') + '\n';
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  // Own keys only: `epl constructor` must be an unknown command, not Object.prototype's.
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`epl: unknown command '${name}' (known: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.usage;
  }
  const cmd = load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(cmd.usage.endsWith('\n') ? cmd.usage : cmd.usage + '\n');
    return EXIT.ok;
  }
  return cmd.run(rest, io);
}

/** The process around `main`: what `bin/epl.js` runs. Resolves to the exit status. */
export async function cli(argv: string[], proc: NodeJS.Process = process): Promise<number> {
  const stop = new AbortController();
  let outcome: { code: number; say?: string } | undefined;
  const end = (code: number, say?: string) => {
    outcome ??= { code, say };
    stop.abort();
  };
  proc.stdout.on('error', (e: NodeJS.ErrnoException) =>
    e.code === 'EPIPE' ? end(EXIT.closed) : end(EXIT.output, `epl: cannot write the output: ${describeWriteError(e)}`),
  );
  // A reader that went away (`epl run --json | head -1`) is not an error worth a word.
  proc.stderr.on('error', () => end(EXIT.closed));
  const onInt = () => end(EXIT.interrupted, 'epl: interrupted');
  const onTerm = () => end(EXIT.terminated, 'epl: terminated');
  proc.once('SIGINT', onInt);
  proc.once('SIGTERM', onTerm);
  try {
    const code = await main(argv, { stdout: proc.stdout, stderr: proc.stderr, signal: stop.signal });
    if (!outcome) return code;
    if (outcome.say !== undefined && outcome.code !== EXIT.closed) proc.stderr.write(outcome.say + '\n');
    return outcome.code;
  } finally {
    proc.off('SIGINT', onInt);
    proc.off('SIGTERM', onTerm);
  }
}
