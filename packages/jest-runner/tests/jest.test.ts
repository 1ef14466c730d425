// End to end: a real jest, in a child process, runs fixture corpora through the runner
// (configured exactly as the README says) and reports --json. The runner is loaded from
// dist/ through the package name, which is why `test` depends on `build`.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const fixtures = path.join(__dirname, 'fixtures');
const jestBin = require.resolve('jest/bin/jest');

interface JsonAssertion {
  ancestorTitles: string[];
  title: string;
  fullName: string;
  status: string;
  failureMessages: string[];
  invocations?: number;
  retryReasons?: string[];
}
interface JsonFile {
  name: string;
  status: string;
  message: string;
  assertionResults: JsonAssertion[];
}
interface JsonRun {
  success: boolean;
  numTotalTestSuites: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: JsonFile[];
}

interface Run {
  code: number | null;
  stderr: string;
  json: JsonRun;
}

/** Run jest on a fixture folder in a child process and read its --json report. */
async function runJest(fixture: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const dir = path.join(fixtures, fixture);
  const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'epl-jest-')), 'out.json');
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', ...extraEnv };
  // The child is a jest of its own, not a worker of this one.
  delete env.JEST_WORKER_ID;
  const argv = [jestBin, '--config', path.join(dir, 'jest.config.js'), '--json', `--outputFile=${out}`, '--ci', '--no-watchman', '--maxWorkers=2', ...args];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(process.execPath, argv, { cwd: dir, env, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
    });
  });
  let json: JsonRun;
  try {
    json = JSON.parse(await fs.readFile(out, 'utf8')) as JsonRun;
  } catch {
    throw new Error(`jest wrote no report (exit ${String(code)}):\n${stderr}`);
  } finally {
    await fs.rm(path.dirname(out), { recursive: true, force: true });
  }
  return { code, stderr, json };
}

const byName = (run: Run, base: string): JsonFile => {
  const f = run.json.testResults.find((t) => path.basename(t.name) === base);
  if (!f) throw new Error(`no result for ${base} in ${run.json.testResults.map((t) => t.name).join(', ')}`);
  return f;
};

// A child jest starts a pool of workers; on a shared machine that is seconds, not ms.
jest.setTimeout(120_000);

describe('a passing corpus', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runJest('passing');
  });

  it('succeeds with one test per scenario', () => {
    expect(run.code).toBe(0);
    expect(run.json.success).toBe(true);
    expect(run.json.numTotalTestSuites).toBe(2);
    expect(run.json.numTotalTests).toBe(4);
    expect(run.json.numPassedTests).toBe(4);
  });

  it('titles each test by file and scenario', () => {
    const stream = byName(run, 'stream.epl');
    expect(stream.assertionResults.map((a) => [a.ancestorTitles, a.title])).toEqual([
      [['stream.epl'], 'both ends writable'],
      [['stream.epl'], 'data makes the peer readable'],
      [['stream.epl'], 'shutdown WR gives the peer EOF'],
    ]);
    const pipe = byName(run, 'pipe.epl');
    expect(pipe.assertionResults).toHaveLength(1);
    expect(pipe.assertionResults[0].ancestorTitles).toEqual(['pipe.epl']);
  });
});

describe('a failing scenario', () => {
  let run: Run;
  let failed: JsonAssertion;
  beforeAll(async () => {
    run = await runJest('failing');
    const file = byName(run, 'bad.epl');
    failed = file.assertionResults.find((a) => a.status === 'failed') as JsonAssertion;
  });

  it('fails the run and only that scenario', () => {
    expect(run.code).toBe(1);
    expect(run.json.numPassedTests).toBe(1);
    expect(run.json.numFailedTests).toBe(1);
    expect(failed.title).toBe('deliberately wrong');
  });

  it('says where, what was expected and what came', () => {
    const msg = failed.failureMessages.join('\n');
    expect(msg).toMatch(/^bad\.epl:10:3: /);
    // The frame quotes the line and points at it.
    expect(msg).toContain('\n    read 6 => "b"\n    ^');
    expect(msg).toMatch(/expected:\s+=> "b"\n\s+got:\s+=> "a"/);
  });

  it('shows the transcript up to the failed step, and not beyond', () => {
    const msg = failed.failureMessages.join('\n');
    const write = msg.search(/^\s+write\(5, "a", 1\)\s+= 1$/m);
    const read = msg.search(/^\s+read\(6, "a", 1024\)\s+= 1$/m);
    expect(write).toBeGreaterThan(0);
    expect(read).toBeGreaterThan(write);
    expect(msg).not.toMatch(/close\(5\)/);
  });

  it('prints the same text for the default reporter, under the test title', () => {
    const file = byName(run, 'bad.epl');
    expect(file.message).toContain('● bad.epl › deliberately wrong');
    expect(file.message).toContain(failed.failureMessages[0].split('\n')[0]);
    expect(file.message).not.toContain('read what was written');
  });
});

describe('an .epl file that does not compile', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runJest('broken');
  });

  it('fails that file, with the located error, and the run goes on', () => {
    expect(run.code).toBe(1);
    expect(run.json.numTotalTestSuites).toBe(3);
    expect(byName(run, 'ok.epl').status).toBe('passed');
    const unknown = byName(run, 'unknown-name.epl');
    expect(unknown.status).toBe('failed');
    expect(unknown.message).toMatch(/unknown-name\.epl:2:10: .*\n +shutdown 8 RD\n +\^/);
  });

  it('reports a syntax error the same way', () => {
    const syntax = byName(run, 'syntax.epl');
    expect(syntax.status).toBe('failed');
    expect(syntax.message).toMatch(/syntax\.epl:2:\d+: /);
    expect(syntax.message).toContain('dup r ->');
    // A located error, not a JavaScript stack.
    expect(syntax.message).not.toMatch(/^\s+at /m);
  });
});

describe('the html option', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'epl-jest-html-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes the page of the jest run: every scenario, the failed step marked, as epl run --html does', async () => {
    const file = path.join(dir, 'report.html');
    const run = await runJest('html', [], { EPL_TEST_HTML: file });
    expect(run.code).toBe(1);
    expect(byName(run, 'shutdown.epl').assertionResults.map((a) => a.status)).toEqual(['passed', 'failed']);
    const html = await fs.readFile(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<span class="title">SHUT_WR reaches the peer</span>');
    expect(html).toContain('<span class="why" title="tcp: line 12 wait: =&gt; expected none, got 6: IN">');
    expect(html).toContain('<span class="count pass">1 passed</span><span class="count fail">1 failed</span>');
  });

  it('a page it cannot write fails a run whose tests passed, with one line; jest still reports every test', async () => {
    const ok = await runJest('html', ['-t', 'SHUT_WR'], { EPL_TEST_HTML: path.join(dir, 'ok.html') });
    expect([ok.code, ok.json.numPassedTests, ok.json.numFailedTests]).toEqual([0, 1, 0]);
    const run = await runJest('html', ['-t', 'SHUT_WR'], { EPL_TEST_HTML: path.join(dir, 'no', 'such', 'x.html') });
    expect([run.code, run.json.numPassedTests, run.json.numFailedTests]).toEqual([1, 1, 0]);
    expect(run.stderr).toContain(`@epl/jest-runner: cannot write the HTML report ${path.join(dir, 'no', 'such', 'x.html')}: ENOENT`);
  });
});

describe('a family matrix', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runJest('matrix');
  });

  it('runs every scenario once per family, titled with it', () => {
    const both = byName(run, 'both.epl');
    expect(both.assertionResults.map((a) => [a.title, a.status])).toEqual([
      ['both [tcp]', 'passed'],
      ['both [unix]', 'passed'],
    ]);
  });

  it('gives pair the family: the kernel answers each differently', () => {
    const closed = byName(run, 'peer-closed.epl');
    expect(closed.assertionResults.map((a) => [a.title, a.status])).toEqual([
      ['peer-closed [tcp]', 'failed'],
      ['peer-closed [unix]', 'passed'],
    ]);
    expect(closed.assertionResults[0].failureMessages.join('\n')).toMatch(/expected:\s+=> EPIPE\n\s+got:\s+=> 1/);
  });
});

describe('retries (the fixture runner makes each first attempt tcp, later ones unix)', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runJest('retry');
  });

  it('a scenario that fails its first attempt and passes the second is a passed test', () => {
    const flaky = byName(run, 'flaky.epl');
    expect(flaky.assertionResults.map((a) => [a.title, a.status, a.invocations])).toEqual([
      ['flaky: write after the peer closed [unix]', 'passed', 2],
      ['steady [unix]', 'passed', undefined],
    ]);
    // --json keeps the first attempt's failure, as jest keeps a retried test's.
    expect(flaky.assertionResults[0].retryReasons).toHaveLength(1);
    // The family is the one the attempt ran with: tcp, by the fixture runner's doing.
    expect(flaky.assertionResults[0].retryReasons?.[0]).toMatch(/^flaky\.epl:8:3: scenario "flaky: write after the peer closed": => expectation failed\n/);
    expect(flaky.assertionResults[0].retryReasons?.[0]).toMatch(/\n\s+tcp\(a<fd \d+>, b<fd \d+>\)/);
    expect(flaky.assertionResults[0].retryReasons?.[0]).toMatch(/expected:\s+=> EPIPE\n\s+got:\s+=> 1/);
  });

  it('a scenario that fails every attempt fails, after retries + 1 attempts', () => {
    expect(run.code).toBe(1);
    const [broken] = byName(run, 'broken.epl').assertionResults;
    expect([broken.status, broken.invocations]).toEqual(['failed', 3]);
    expect(broken.failureMessages.join('\n')).toMatch(/expected:\s+=> 3\n\s+got:\s+=> 2[\s\S]*\(failed all 3 attempts, retries: 2; the last is shown\)/);
    expect(run.json.numPassedTests).toBe(2);
    expect(run.json.numFailedTests).toBe(1);
  });

  it('prints one note at the end listing the flaky scenario: the step and the first failure', () => {
    const note =
      '@epl/jest-runner: 1 scenario passed only after failing (flaky; retries: 2):\n' +
      '  flaky.epl › flaky: write after the peer closed [unix]: passed on attempt 2; attempt 1 failed at flaky.epl:8:3 expected => EPIPE, got => 1\n';
    expect(run.stderr).toContain(note);
    expect(run.stderr.split('passed only after failing')).toHaveLength(2);
  });

  it('the default reporter logs the failed attempt as a retry', () => {
    expect(run.stderr).toMatch(/LOGGING RETRY ERRORS.*flaky\.epl flaky: write after the peer closed \[unix\]/);
    expect(run.stderr).toMatch(/RETRY 1[\s\S]*flaky\.epl:8:3: scenario "flaky: write after the peer closed"/);
  });
});

describe('--shard', () => {
  it('splits a corpus across shards, every file exactly once', async () => {
    const [one, two] = await Promise.all([runJest('shard', ['--shard=1/2']), runJest('shard', ['--shard=2/2'])]);
    const names = (r: Run) => r.json.testResults.map((t) => path.basename(t.name));
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(names(one).length).toBeGreaterThan(0);
    expect(names(two).length).toBeGreaterThan(0);
    expect([...names(one), ...names(two)].sort()).toEqual(['a.epl', 'b.epl', 'c.epl', 'd.epl', 'e.epl', 'f.epl']);
  });
});

describe('-t', () => {
  it('runs only the scenarios whose name matches; the others are skipped', async () => {
    const run = await runJest('passing', ['-t', 'peer readable']);
    const stream = byName(run, 'stream.epl');
    expect(stream.assertionResults.map((a) => [a.title, a.status])).toEqual([
      ['both ends writable', 'pending'],
      ['data makes the peer readable', 'passed'],
      ['shutdown WR gives the peer EOF', 'pending'],
    ]);
  });
});
