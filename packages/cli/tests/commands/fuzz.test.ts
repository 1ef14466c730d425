// `epl fuzz` end to end: the real generator, pool, executor, compiler and runner.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { parseFuzzArgs } from '../../src/commands/fuzz';
import { captureIo } from './io';

jest.setTimeout(300_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-fuzz-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function fuzz(...args: string[]) {
  return fuzzOn(false, ...args);
}
async function fuzzOn(tty: boolean, ...args: string[]) {
  const io = captureIo(tty);
  const code = await main(['fuzz', '--workers', '2', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

describe('parseFuzzArgs', () => {
  it('takes every option, = or space separated', () => {
    expect(
      parseFuzzArgs([
        '--seed',
        '7',
        '--count=50',
        '--length',
        '12',
        '--family',
        'tcp,unix',
        '--workers=3',
        '--out',
        'x',
        '--no-shrink',
        '--no-corpus',
        '--no-model',
      ]),
    ).toEqual({
      seed: '7',
      count: 50,
      length: 12,
      families: ['tcp', 'unix'],
      workers: 3,
      out: 'x',
      shrink: false,
      corpus: false,
      model: false,
    });
    expect(parseFuzzArgs(['--time', '2.5'])).toMatchObject({ timeSec: 2.5, out: 'fuzz-out', shrink: true, model: true });
  });
  it('refuses what it cannot use, saying why', () => {
    expect(parseFuzzArgs(['--count', '0'])).toMatch(/--count takes a whole number/);
    expect(parseFuzzArgs(['--family', 'tcp,sctp'])).toMatch(/unknown family 'sctp'/);
    expect(parseFuzzArgs(['--count', '5', '--time', '1'])).toMatch(/exclude each other/);
    expect(parseFuzzArgs(['--time', '-1'])).toMatch(/--time takes/);
    expect(parseFuzzArgs(['stray'])).toMatch(/unknown argument 'stray'/);
  });
});

describe('epl fuzz', () => {
  it('is a usage error (2) on a bad option', async () => {
    const r = await fuzz('--length', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/epl fuzz: --length takes a whole number/);
  });

  it('checks --out before starting: one line and 2 for a folder it cannot use', async () => {
    const r = await fuzz('--count', '10', '--out', '/dev/null');
    expect(r).toEqual({ code: 2, out: '', err: 'epl fuzz: --out /dev/null: /dev/null is not a folder\n' });
    // Where a recursive mkdir spun for ever (run as the user does, so a hang fails, not holds, the test).
    const bin = path.join(__dirname, '..', '..', 'bin', 'epl.js');
    const p = spawnSync(process.execPath, [bin, 'fuzz', '--count', '10', '--out', '/proc/x'], { encoding: 'utf8', timeout: 60_000 });
    expect({ code: p.status, out: p.stdout, err: p.stderr }).toEqual({ code: 2, out: '', err: 'epl fuzz: --out /proc/x: cannot create /proc/x (ENOENT)\n' });
  });

  it('runs a campaign, prints its figures and writes the same files for the same seed and count', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const r = await fuzzOn(true, '--seed', 'cli', '--count', '400', '--family', 'tcp,unix', '--out', a);
    // On a TTY, a progress line (rewritten in place) with the same figures.
    // eslint-disable-next-line no-control-regex -- the progress line ends in the terminal's erase-line escape
    expect(r.err).toMatch(/\r\x1b\[K[\d,]+ sequences \([\d,]+\/s\), [\d,]+ ops/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^epl fuzz: seed cli: 400 sequences \([\d,]+\/s\), [\d,]+ ops \([\d,]+\/s\), [\d,]+ signatures, corpus [\d,]+, findings: robustness \d+, determinism \d+, differential \d+, model \d+, behaviour \d+/,
    );
    expect(r.out).toMatch(/output: /);
    expect(r.err).toMatch(/seed cli, 2 workers/);
    const summary = JSON.parse(readFileSync(path.join(a, 'summary.json'), 'utf8')) as { records: { files: string[] }[] };
    expect(summary).toMatchObject({ seed: 'cli', sequences: 400 });
    expect(existsSync(path.join(a, 'corpus'))).toBe(true);
    // Every finding named in the summary is a file that exists.
    for (const rec of summary.records) for (const f of rec.files) expect(existsSync(path.join(a, f))).toBe(true);
    // Same seed and count: the corpus entries are the same files (names and contents).
    await fuzz('--seed', 'cli', '--count', '400', '--family', 'tcp,unix', '--out', b);
    const corpus = (d: string) => tree(path.join(d, 'corpus')).map((f) => [f, readFileSync(path.join(d, 'corpus', f), 'utf8')]);
    expect(corpus(b)).toEqual(corpus(a));
  });

  it('--no-model leaves the model out of the oracles and of the summary', async () => {
    const r = await fuzz('--seed', 'cli', '--count', '100', '--family', 'tcp', '--no-model', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/findings: robustness \d+, determinism \d+, differential \d+, behaviour/);
    expect(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'))).toMatchObject({ options: { model: false } });
  });
});
