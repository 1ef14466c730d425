// `epl run` end to end: the real compiler, pool and executor.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { familyTable, parseRunArgs, wireNote } from '../../src/commands/run';
import type { FileReport } from '@epl/runner';
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
          check: { wireUnchecked },
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
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.title, l.family, l.pass])).toEqual([
      ['one', 'tcp', true],
      ['one', 'unix', true],
      ['two', 'tcp', true],
      ['two', 'unix', true],
    ]);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['family', 'file', 'kernel', 'netns', 'pass', 'steps', 'title', 'wire']);
      expect(l.file).toBe(f);
      expect(typeof l.kernel).toBe('string');
      expect(typeof l.netns).toBe('boolean');
      expect(typeof l.wire.captured).toBe('boolean');
    }
    const [pair, write1] = lines[0].steps;
    expect(pair).toMatchObject({ line: 1, col: 1, op: 'pair a b', result: 0, got: 'ok', pass: true });
    expect(Object.keys(pair.fds).sort()).toEqual(['a', 'b']);
    expect(write1).toMatchObject({ line: 3, col: 3, op: 'write a "x"', result: 1, expect: '1', got: '1', pass: true });
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
