// `epl run` end to end: the real compiler, pool and executor.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { familyTable, flakyLines, parseRunArgs, present, wireNote } from '../../src/commands/run';
import type { RunArgs } from '../../src/commands/run';
import { MAX_RETRIES, Pool, runFiles } from '@epl/runner';
import type { FileReport, PoolResult, ProgramPool, ScenarioRecord, ScenarioReport } from '@epl/runner';
import type { Family, Program } from '@epl/program';
import { captureIo } from './io';

let dir: string;
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const PASSING = `# a pipe: no wire, no RDHUP
pipe r w => ok
epoll ep => ok
add ep r IN|RDHUP => 0
wait => none
write w "hi" => 2
wait => r: IN
close w => 0
wait => r: IN|HUP
read r => "hi"
read r => ""
`;

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(['run', '--workers', '1', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('parseRunArgs', () => {
  it('reads every option, in both spellings', () => {
    expect(parseRunArgs(['--workers=3', '--family', 'tcp,unix', '--filter', 'x', '--json', '--verbose', 'a.epl', 'dir'])).toEqual({
      files: ['a.epl', 'dir'],
      workers: 3,
      families: ['tcp', 'unix'],
      filter: 'x',
      json: true,
      verbose: true,
    });
  });
  it("reads --retries, a whole number from 0 to the runner's MAX_RETRIES", () => {
    expect(parseRunArgs(['--retries', '2', 'a.epl'])).toMatchObject({ retries: 2 });
    expect(parseRunArgs(['--retries=0', 'a.epl'])).toMatchObject({ retries: 0 });
    expect(parseRunArgs([`--retries=${MAX_RETRIES}`, 'a.epl'])).toMatchObject({ retries: MAX_RETRIES });
    expect(parseRunArgs(['a.epl'])).not.toHaveProperty('retries');
    for (const bad of ['-1', '1.5', 'two', '', String(MAX_RETRIES + 1)])
      expect(parseRunArgs([`--retries=${bad}`, 'a.epl'])).toMatch(/--retries takes a whole number from 0 to 100/);
    expect(parseRunArgs(['a.epl', '--retries'])).toMatch(/--retries takes a whole number .*got nothing/);
  });
  it('rejects what it does not know', () => {
    expect(parseRunArgs([])).toMatch(/no files/);
    expect(parseRunArgs(['--family', 'sctp', 'a'])).toMatch(/unknown family 'sctp'/);
    expect(parseRunArgs(['--workers', '0', 'a'])).toMatch(/--workers/);
    expect(parseRunArgs(['--bogus', 'a'])).toMatch(/unknown option/);
  });
});

describe('wireNote', () => {
  const report = (captured: boolean, wireUnchecked: number): FileReport =>
    ({
      file: 'f.epl',
      pass: true,
      scenarios: [
        {
          result: { wire: captured ? { captured } : { captured, reason: 'no CAP_NET_RAW (run as root or grant cap_net_raw)' } },
          check: { wireUnchecked, wireCaptured: captured },
        },
      ],
    }) as unknown as FileReport;
  it('says once, plainly, why the wire was not checked and how many expectations that leaves', () => {
    expect(wireNote([report(false, 2), report(false, 1)])).toBe(
      'wire not captured: no CAP_NET_RAW (run as root or grant cap_net_raw); 3 wire expectations not checked',
    );
  });
  it('tells how to get the capability when that is what is missing', () => {
    const r = report(false, 1) as unknown as { scenarios: { result: { wire: { reason: string } } }[] };
    r.scenarios[0].result.wire.reason = 'no CAP_NET_RAW: opening a packet socket was refused (Operation not permitted)';
    expect(wireNote([r as unknown as FileReport])).toBe(
      'wire not captured: no CAP_NET_RAW: opening a packet socket was refused (Operation not permitted) (run as root or grant cap_net_raw); 1 wire expectation not checked',
    );
  });
  it('says nothing when the wire was captured', () => {
    expect(wireNote([report(true, 0)])).toBeUndefined();
  });
  it('reads no result when every run captured the wire: a pass is never decoded for the note', () => {
    const r = report(true, 0);
    Object.defineProperty(r.scenarios[0], 'result', {
      get() {
        throw new Error('result read');
      },
    });
    expect(wireNote([r])).toBeUndefined();
  });
});

describe('familyTable', () => {
  it('aligns one row per differing step, one column per family', () => {
    const t = familyTable(
      [
        { file: 'a.epl', title: 't', line: 3, col: 1, op: 'write b "x"', observed: { tcp: '1', unix: 'EPIPE' } },
        { file: 'a.epl', title: 't', line: 12, col: 3, op: 'wait', observed: { tcp: 'b: IN|OUT|RDHUP', unix: 'b: IN|OUT|HUP|RDHUP' } },
      ],
      ['tcp', 'unix'],
    );
    expect(t).toBe(
      [
        'families differ (tcp, unix): 2 steps',
        '  step        statement    tcp              unix',
        '  a.epl:3:1   write b "x"  1                EPIPE',
        '  a.epl:12:3  wait         b: IN|OUT|RDHUP  b: IN|OUT|HUP|RDHUP',
        '',
      ].join('\n'),
    );
    expect(familyTable([], ['tcp', 'unix'])).toBe('families agree (tcp, unix): no step differs\n');
  });
});

describe('flakyLines', () => {
  it('gives every failure of the first attempt, expected vs got, with ~> or =>', () => {
    const failure = (line: number, kind: 'wire' | 'result', expected: string, got: string) => ({ index: 0, file: 'f.epl', line, col: 3, kind, expected, got });
    const s = {
      title: 'close',
      family: 'tcp',
      flaky: { attempts: 3, firstFailure: '…', failures: [failure(9, 'wire', '5 > 6 F.', '5 > 6 F., 6 > 5 .'), failure(10, 'result', '6: IN', 'none')] },
    } as unknown as ScenarioReport;
    expect(flakyLines(s, 2)).toEqual([
      '  FLAKY f.epl:9:3: scenario "close": passed on attempt 3 of 3; attempt 1 failed:',
      '    expected: ~> 5 > 6 F.',
      '    got:      ~> 5 > 6 F., 6 > 5 .',
      '    and at f.epl:10:3:',
      '    expected: => 6: IN',
      '    got:      => none',
    ]);
    expect(flakyLines({ ...s, flaky: undefined })).toEqual([]);
  });
});

describe('epl run', () => {
  it('exit 0 and a PASS line when every expectation holds', async () => {
    const f = write('pipe.epl', PASSING);
    const r = await run(f);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`PASS ${f} (1 scenario)`);
    expect(r.out).toMatch(/1 file, 1 scenario run: 1 passed, 0 failed/);
  });

  it('exit 1 with the location, expected and got, and the transcript up to the step', async () => {
    const f = write('bad.epl', 'pipe r w\nwrite w "hi"\n  read r 1   => "h!"   # wrong on purpose\nclose r\n');
    const r = await run(f);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL ${f} (1 of 1 scenario failed)`);
    expect(r.out).toContain(`${f}:3:3: scenario "bad": => expectation failed`);
    expect(r.out).toContain('    read r 1   => "h!"   # wrong on purpose\n    ^');
    expect(r.out).toContain('expected: => "h!"\n  got:      => "h"');
    // The transcript stops at the failing step.
    expect(r.out).toMatch(/write\(w, "hi", 2\)\s+= 2\n\s+read\(r, "h", 1\)\s+= 1\n/);
    expect(r.out).not.toContain('close(r)');
  });

  it('exit 2 on a compile error, with the located message; other files still run', async () => {
    const bad = write('a.epl', 'pipe r w\nshutdown q RD\n');
    const good = write('b.epl', PASSING);
    const r = await run(bad, good);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:2:10: `);
    expect(r.out).toContain(`PASS ${good}`);
  });

  it('exit 2 on usage errors and missing files', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('--family', 'x', 'f.epl')).code).toBe(2);
    mkdirSync(path.join(dir, 'empty'));
    const empty = await run(path.join(dir, 'empty'));
    expect([empty.code, empty.err]).toEqual([2, `epl run: no .epl files in ${path.join(dir, 'empty')}\n`]);
    const missing = await run(path.join(dir, 'nope.epl'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file');
  });

  it('--verbose prints every transcript', async () => {
    const f = write('pipe.epl', PASSING);
    const r = await run('--verbose', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${f}: scenario "pipe"`);
    expect(r.out).toMatch(/\n {2}pipe2\(\[r<fd \d+>, w<fd \d+>\], O_NONBLOCK\) += 0\n/);
    expect(r.out).toMatch(/epoll_wait\(ep, \{r: IN\|HUP\}, 64, 0\) += 1/);
  });

  it('--json prints one record per scenario per family, with the documented fields', async () => {
    const f = write('two.epl', 'pair a b\nscenario "one" {\n  write a "x" => 1\n}\nscenario "two" {\n  read b => EAGAIN\n}\n');
    const r = await run('--json', '--family', 'tcp,unix', f);
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ScenarioRecord);
    expect(lines.map((l) => [l.title, l.family, l.pass])).toEqual([
      ['one', 'tcp', true],
      ['one', 'unix', true],
      ['two', 'tcp', true],
      ['two', 'unix', true],
    ]);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['attempts', 'family', 'file', 'kernel', 'names', 'netns', 'pass', 'steps', 'title', 'wire']);
      expect(l.attempts).toBe(1);
      expect(l.file).toBe(f);
      expect(typeof l.kernel).toBe('string');
      expect(typeof l.netns).toBe('boolean');
      expect(typeof l.wire.captured).toBe('boolean');
    }
    const [pair, write1] = lines[0].steps;
    expect(lines[0].names).toEqual(['a', 'b']);
    expect(pair).toMatchObject({ line: 1, col: 1, op: 'pair a b', setup: true, result: 0, got: 'ok', pass: true });
    expect(Object.keys(pair.fds).sort()).toEqual(['a', 'b']);
    expect(write1).toMatchObject({ line: 3, col: 3, op: 'write a "x"', setup: false, result: 1, expect: '1', got: '1', pass: true });
    expect(lines[2].steps[1]).toMatchObject({ op: 'read b', result: 'EAGAIN', expect: 'EAGAIN', pass: true });
  });

  it('--family runs each scenario per family and tables the steps that differ', async () => {
    const f = write('fam.epl', 'pair a b\nshutdown a RD\nwrite b "x"\n');
    const r = await run('--family', 'tcp,tcp6,unix', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`PASS ${f} (3 scenarios)`);
    expect(r.out).toMatch(/families differ \(tcp, tcp6, unix\): \d+ steps?/);
    // On a unix socket, SHUT_RD on one end is SHUT_WR for its peer: the write fails.
    const row = r.out.split('\n').find((l) => l.includes(`${f}:3:1`));
    expect(row).toBeDefined();
    expect(row).toMatch(/EPIPE/);
  });

  it('--filter keeps scenarios by title; no match is a usage error', async () => {
    const f = write('t.epl', 'scenario "alpha" {\n  pipe r w => ok\n}\nscenario "beta" {\n  pipe r w => EPIPE\n}\n');
    const r = await run('--filter', 'ALPH', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(1 scenario)');
    expect((await run('--filter', 'beta', f)).code).toBe(1);
    expect((await run('--filter', 'gamma', f)).code).toBe(2);
  });

  it('without --workers, a small run goes to a lane and reports passes and failures the same way', async () => {
    const ok = write('ok.epl', PASSING);
    const bad = write('bad.epl', 'pipe r w\nwrite w "hi" => 3\n');
    const io = captureIo();
    const code = await main(['run', ok, bad], io);
    expect(code).toBe(1);
    expect(io.out()).toContain(`PASS ${ok} (1 scenario)`);
    expect(io.out()).toContain(`FAIL ${bad} (1 of 1 scenario failed)`);
    expect(io.out()).toContain(
      `${bad}:2:1: scenario "bad": => expectation failed\n  write w "hi" => 3\n  ^\n  expected: => 3\n  got:      => 2\n  transcript:\n`,
    );
  });

  it('runs a folder recursively', async () => {
    write('d/one.epl', PASSING);
    write('d/sub/two.epl', PASSING);
    const r = await run(path.join(dir, 'd'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 files, 2 scenario runs: 2 passed/);
  });

  it('without CAP_NET_RAW, ~> is counted as not checked, said once, and does not fail the run', () => {
    // A wrong ~> on purpose: it must be reported as not checked, never as passed or failed.
    const f = write('wire.epl', 'tcp 5 6\nshutdown 5 WR => 0 ~> 6 > 5 R\nclose 5 ~> none\n');
    const bin = path.join(__dirname, '..', '..', 'bin', 'epl.js');
    // As root, drop the capabilities the workers would use; otherwise there are none to drop.
    const drop = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-net_raw,-sys_admin', '--inh-caps=-net_raw,-sys_admin'] : [];
    const argv = [...drop, process.execPath, bin, 'run', f];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
    expect(r.stdout).toContain(`PASS ${f} (1 scenario)`);
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('wire not captured:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/; 2 wire expectations not checked$/);
    expect(r.status).toBe(0);
  });
});

describe('epl run --retries', () => {
  it('is in the usage text', async () => {
    const io = captureIo();
    expect(await main(['run', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/\n {2}--retries N {8}run a scenario whose expectations failed up to N more times/);
    expect(io.out()).toContain('FLAKY');
  });

  it('a scenario that fails every attempt fails, and says how many attempts it had', async () => {
    const f = write('bad.epl', 'pipe r w\nwrite w "hi" => 3\n');
    const r = await run('--retries', '2', f);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL ${f} (1 of 1 scenario failed)`);
    expect(r.out).toContain('expected: => 3\n  got:      => 2');
    expect(r.out).toContain('  (3 attempts with --retries 2: every one failed; the last is shown)');
    expect(r.out).toMatch(/1 scenario run: 0 passed, 1 failed\n/);
    expect(r.out).not.toContain('FLAKY');
  });

  it('a scenario that passes at once is not flaky: one attempt, in the JSON record too', async () => {
    const f = write('pipe.epl', PASSING);
    const r = await run('--retries', '3', f);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`PASS ${f} (1 scenario)\n1 file, 1 scenario run: 1 passed, 0 failed`);
    const json = await run('--retries', '3', '--json', f);
    const rec = JSON.parse(json.out) as ScenarioRecord;
    expect([rec.pass, rec.attempts, 'flaky' in rec]).toEqual([true, 1, false]);
  });
});

/**
 * A real Pool whose FIRST attempt of each Program runs as `tcp`, whatever family was asked.
 * The kernel answers every attempt for real; only the first one's condition differs, as a
 * loaded machine changes the timing of a run it stalls. `pair a b; close b; write a "x" =>
 * EPIPE` fails as tcp and passes as unix: asked as unix, it fails once, then passes.
 */
class FirstAttemptAsTcp implements ProgramPool {
  private readonly seen = new Set<Program>();
  constructor(private readonly pool: Pool) {}
  async *run(programs: readonly Program[], opts?: { family?: Family }): AsyncIterable<PoolResult> {
    for (const p of programs) {
      const again = this.seen.has(p);
      this.seen.add(p);
      for await (const { result } of this.pool.run([p], { family: again ? opts?.family : 'tcp' })) yield { id: programs.indexOf(p), result };
    }
  }
}

describe('present', () => {
  it('prints a passing run without reading any result (a pass is never decoded)', async () => {
    const f = write('pass.epl', PASSING);
    const parsed = parseRunArgs([f]) as RunArgs;
    const files = await runFiles(parsed.files);
    for (const s of files[0].scenarios)
      Object.defineProperty(s, 'result', {
        get() {
          throw new Error('result read');
        },
      });
    const io = captureIo();
    expect(present(files, parsed, io)).toBe(0);
    expect(io.out()).toContain(`PASS ${f} (1 scenario)\n1 file, 1 scenario run: 1 passed, 0 failed\n`);
  });
});

describe('epl run: a flaky pass', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ workers: 1 });
  });
  afterAll(() => pool.close());

  /** runFiles through the pool above, then what `epl run ARGS` prints for its reports. */
  async function flakyRun(...args: string[]) {
    const f = write('peer-closed.epl', '# passes as unix, fails as tcp\npair a b\nclose b\nwrite a "x" => EPIPE\n');
    const parsed = parseRunArgs([...args, '--family', 'unix', f]) as RunArgs;
    const files = await runFiles(parsed.files, { pool: new FirstAttemptAsTcp(pool), families: parsed.families, retries: parsed.retries });
    const io = captureIo();
    const code = present(files, parsed, io);
    return { f, code, out: io.out(), err: io.err() };
  }

  it('passes with exit 0, a FLAKY line under the file with the step and the first failure, counted in the summary', async () => {
    const { f, code, out } = await flakyRun('--retries', '2');
    expect(code).toBe(0);
    expect(out).toContain(
      [
        `PASS ${f} (1 scenario, 1 flaky)`,
        `  FLAKY ${f}:4:1: scenario "peer-closed" [unix]: passed on attempt 2 of 3; attempt 1 failed:`,
        '    expected: => EPIPE',
        '    got:      => 1',
        '1 file, 1 scenario run: 1 passed (1 flaky), 0 failed',
      ].join('\n'),
    );
  });

  it("--verbose shows the first attempt's whole failure, transcript included", async () => {
    const { out } = await flakyRun('--retries', '1', '--verbose');
    expect(out).toContain('scenario "peer-closed" [unix] FLAKY');
    expect(out).toContain('  attempt 1 failed (passed on attempt 2):\n');
    expect(out).toMatch(/\n {6}tcp\(a<fd \d+>, b<fd \d+>\) +.*= 0\n/);
  });

  it('--json: the record carries attempts and flaky; stderr says so', async () => {
    const { code, out, err } = await flakyRun('--retries', '2', '--json');
    expect(code).toBe(0);
    const rec = JSON.parse(out) as ScenarioRecord;
    expect(rec).toMatchObject({ pass: true, family: 'unix', attempts: 2, flaky: { attempts: 2 } });
    expect(rec.flaky?.firstFailure).toContain('expected: => EPIPE\n  got:      => 1');
    expect(err).toBe('epl run: 1 scenario run passed only after a retry: see "flaky" in its record\n');
  });
});
