// npm run bench [-- ID…]: runs every bench module (or the ones named) and prints one line per measure.
import { Bench, fmt } from './bench';

// Bench modules register here in the order they run: () => (require('./benches/NAME') as typeof import('./benches/NAME')).bench,
const BENCHES: (() => Bench)[] = [
  () => (require('./benches/parse') as typeof import('./benches/parse')).bench,
  () => (require('./benches/runner') as typeof import('./benches/runner')).bench,
  () => (require('./benches/executor') as typeof import('./benches/executor')).bench,
  () => (require('./benches/fuzz') as typeof import('./benches/fuzz')).bench,
  () => (require('./benches/report') as typeof import('./benches/report')).bench,
  () => (require('./benches/lsp') as typeof import('./benches/lsp')).bench,
  () => (require('./benches/kernels') as typeof import('./benches/kernels')).bench,
  () => (require('./benches/model') as typeof import('./benches/model')).bench,
];

async function main(ids: string[]): Promise<number> {
  const all = BENCHES.map((load) => load());
  const chosen = ids.length ? all.filter((b) => ids.includes(b.id)) : all.filter((b) => !b.onlyWhenNamed);
  if (ids.length && chosen.length !== ids.length) {
    process.stderr.write(`bench: unknown id (known: ${all.map((b) => b.id).join(', ')})\n`);
    return 2;
  }
  for (const b of chosen) {
    await b.run((name, value, unit) => process.stdout.write(`${name}: ${fmt(value)}${unit ? ' ' + unit : ''}\n`));
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? String(err.stack) : String(err)}\n`);
    process.exitCode = 1;
  },
);
