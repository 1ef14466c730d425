// `epl CMD …`: dispatches to one module per command (src/commands/CMD.ts).
import type { Command, Io } from './command';
import { EXIT } from './command';

// Loaded on demand so `epl check` never pays for loading the native executor.
const COMMANDS: Record<string, () => Command> = {
  // commands register here: name: () => (require('./commands/NAME') as typeof import('./commands/NAME')).command,
  check: () => (require('./commands/check') as typeof import('./commands/check')).command,
  run: () => (require('./commands/run') as typeof import('./commands/run')).command,
  record: () => (require('./commands/record') as typeof import('./commands/record')).command,
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
