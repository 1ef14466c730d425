// The `epl` command as users start it: bin/epl (the launcher) and bin/epl.js, which loads the
// bundle (dist/bundle, made by bundle.js from dist/). Every other CLI test calls main() from
// src; these prove the built, bundled command behaves the same.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const BIN = path.join(__dirname, '..', 'bin');
const LAUNCHER = path.join(BIN, 'epl');
const SCRIPT = path.join(BIN, 'epl.js');
const BUNDLE = path.join(__dirname, '..', 'dist', 'bundle');

const PASSING = 'pipe r w => ok\nepoll ep => ok\nadd ep r IN => 0\nwrite w "hi" => 2\nwait => r: IN\nread r => "hi"\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-bin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function spawn(argv: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bin/epl (the launcher)', () => {
  it('runs a file, and starts node without NODE_EXTRA_CA_CERTS', () => {
    const f = path.join(dir, 'pass.epl');
    writeFileSync(f, PASSING);
    // Node warns on stderr when it cannot load the file that variable names: the warning is
    // how we see whether the node that ran epl was given it.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') };
    const direct = spawn([process.execPath, SCRIPT, 'run', f], env);
    expect(direct.err).toMatch(/extra certs/i); // the control: the variable is visible to node
    const launched = spawn([LAUNCHER, 'run', f], env);
    expect(launched.err).not.toMatch(/extra certs/i);
    expect(launched.out).toContain(`PASS ${f} (1 scenario)`);
    expect(launched.code).toBe(0);
  });

  it('works through a symbolic link, as npm links it into node_modules/.bin', () => {
    const link = path.join(dir, 'epl');
    symlinkSync(LAUNCHER, link);
    const r = spawn([link, '--help']);
    expect(r.out).toMatch(/^usage: epl /m);
    expect(r.code).toBe(0);
  });

  it('passes the exit status and arguments through', () => {
    const bad = path.join(dir, 'bad file.epl');
    writeFileSync(bad, 'pipe r w\nwrite w "hi" => 3\n');
    const r = spawn([LAUNCHER, 'run', bad]);
    expect(r.out).toContain(`FAIL ${bad} (1 of 1 scenario failed)`);
    expect(r.code).toBe(1);
    expect(spawn([LAUNCHER, 'frobnicate']).code).toBe(2);
  });
});

describe('bin/epl.js and the bundle', () => {
  it('loads one bundled file per command, none of the packages it was built from', () => {
    const f = path.join(dir, 'pass.epl');
    writeFileSync(f, PASSING);
    // Run the command in a node that lists, at exit, every JS module it loaded.
    const probe = `process.argv = [process.argv[0], ${JSON.stringify(SCRIPT)}, 'run', ${JSON.stringify(f)}];
      process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));
      require(${JSON.stringify(SCRIPT)});`;
    const r = spawn([process.execPath, '-e', probe]);
    expect(r.out).toContain(`PASS ${f} (1 scenario)`);
    const loaded = (JSON.parse(/^LOADED (.*)$/m.exec(r.err)?.[1] ?? '[]') as string[]).filter((p) => p.endsWith('.js'));
    expect(loaded.sort()).toEqual([SCRIPT, path.join(BUNDLE, 'commands', 'run.js'), path.join(BUNDLE, 'main.js')].sort());
  });

  it('is built from the current sources: none of the files it bundles is newer than it', () => {
    const bundles = [
      'main.js',
      ...readdirSync(path.join(BUNDLE, 'commands'))
        .filter((n) => n.endsWith('.js'))
        .map((n) => path.join('commands', n)),
    ];
    expect(bundles).toEqual(
      expect.arrayContaining(['main.js', 'commands/check.js', 'commands/run.js', 'commands/record.js', 'commands/explain.js', 'commands/fuzz.js']),
    );
    for (const b of bundles) {
      const file = path.join(BUNDLE, b);
      const map = JSON.parse(readFileSync(file + '.map', 'utf8')) as { sources: string[] };
      expect(map.sources.length).toBeGreaterThan(0);
      const built = statSync(file).mtimeMs;
      for (const s of map.sources) {
        const source = path.resolve(path.dirname(file), s);
        expect({ source, newer: statSync(source).mtimeMs > built }).toEqual({ source, newer: false });
      }
    }
  });

  it('runs Programs on a pool from the bundle (the workers and the addon found from their own folders)', () => {
    const f = path.join(dir, 'pass.epl');
    writeFileSync(f, PASSING);
    const r = spawn([process.execPath, SCRIPT, 'run', '--workers', '2', '--family', 'tcp,unix', f]);
    expect(r.err).toBe('');
    expect(r.out).toContain(`PASS ${f} (2 scenarios)`);
    expect(r.code).toBe(0);
  });

  it('checks, records, explains and fuzzes from the bundle', () => {
    const f = path.join(dir, 'bare.epl');
    writeFileSync(f, 'pipe r w\nwrite w "hi"\nread r\n');
    const check = spawn([process.execPath, SCRIPT, 'check', f]);
    expect(check.out).toMatch(/1 file, 1 scenario, 3 steps: ok/);
    expect(check.code).toBe(0);
    const record = spawn([process.execPath, SCRIPT, 'record', f]);
    expect(record.out).toBe('pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
    expect(record.code).toBe(0);
    const explain = spawn([process.execPath, SCRIPT, 'explain', f]);
    expect(explain.out).toContain('  3  read r        => "hi"\n       · r read 2 byte(s) from the pipe\n');
    expect(explain.out).toMatch(/\n1 scenario run, 3 steps: the model agrees with the kernel on every step\n$/);
    expect(explain.code).toBe(0);
    const out = path.join(dir, 'fuzz-out');
    const fuzz = spawn([process.execPath, SCRIPT, 'fuzz', '--seed', '1', '--count', '50', '--workers', '1', '--out', out]);
    expect(fuzz.err).toContain(`epl fuzz: seed 1, 1 worker, output ${out}`);
    expect(fuzz.out).toMatch(/^epl fuzz: seed 1: 50 sequences /);
    expect(fuzz.code).toBe(0);
  });
});

describe('the process around a command', () => {
  const many = (n: number, ms: number) => {
    for (let i = 0; i < n; i++) writeFileSync(path.join(dir, `s${String(i).padStart(3, '0')}.epl`), `sleep ${ms}\npipe r w => ok\n`);
    return dir;
  };

  it('a reader that goes away (`| head -1`) ends the run quietly: no stack trace, exit 141', async () => {
    const { spawn: start } = await import('node:child_process');
    const child = start(process.execPath, [SCRIPT, 'run', '--json', '--workers', '1', many(40, 20)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // The first record, then the reader closes its end, as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect({ code, err }).toEqual({ code: 141, err: '' });
  }, 60_000);

  it('output that cannot be written is one line on stderr and exit 74, never a stack trace', () => {
    const f = path.join(dir, 'pass.epl');
    writeFileSync(f, PASSING);
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${SCRIPT}" run "${f}" > /dev/full`], { encoding: 'utf8', timeout: 60_000, env: process.env });
    expect({ code: r.status, err: r.stderr }).toEqual({ code: 74, err: 'epl: cannot write the output: ENOSPC (no space left on device)\n' });
  });

  it.each([
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated'],
  ] as const)(
    'on %s, prints what ran and the summary, then exits %i',
    async (signal, status, word) => {
      const { spawn: start } = await import('node:child_process');
      const child = start(process.execPath, [SCRIPT, 'run', '--workers', '1', many(60, 100)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('PASS')) resolve();
        }),
      );
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(status);
      // Results were printed as files completed, before the signal; then the summary of what ran.
      expect(out).toMatch(/^PASS .*s000\.epl \(1 scenario\)$/m);
      expect(out).toMatch(/\d+ files?, \d+ scenario runs?: \d+ passed, 0 failed; stopped before the end \(\d+ of 60 scenario runs done\)\n$/);
      expect(err).toBe(`epl: ${word}\n`);
    },
    60_000,
  );
});
