// npm run bench [-- ID…]: runs every bench module (or the ones named) and prints one line per measure.
import { Bench, fmt } from './bench';

// Bench modules register here in the order they run: () => require('./benches/NAME').bench,
const BENCHES: (() => Bench)[] = [
  () => require('./benches/parse').bench,
  () => require('./benches/runner').bench,
  () => require('./benches/executor').bench,
  () => require('./benches/fuzz').bench,
];

async function main(ids: string[]): Promise<number> {
  const all = BENCHES.map((load) => load());
  const chosen = ids.length ? all.filter((b) => ids.includes(b.id)) : all;
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
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
