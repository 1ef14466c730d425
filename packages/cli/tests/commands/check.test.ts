// `epl check` end to end through main(): summary line, located errors, exit codes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { captureIo } from './io';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-check-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function epl(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const SEED = `tcp 5 6
epoll 3
add 3 5 IN|OUT|RDHUP
add 3 6 IN|OUT|RDHUP
scenario "shutdown RD" {
  shutdown 5 RD => 0
  wait => 5: IN|OUT|RDHUP, 6: OUT
}
scenario "shutdown WR" { shutdown 5 WR => 0 ~> 5 > 6 F. }
`;

describe('epl check', () => {
  it('prints one summary line (steps count every op of every scenario, setup included) and exits 0', async () => {
    const a = file('a.epl', SEED);
    const b = file('b.epl', 'pipe r w\nwrite w "x" => 1\nread r => "x"\n');
    const r = await epl('check', a, b);
    expect(r).toEqual({ code: 0, out: '2 files, 3 scenarios, 14 steps: ok\n', err: '' });
  });

  it('takes folders: every *.epl inside, recursively', async () => {
    file('d/one.epl', 'pipe r w\n');
    file('d/sub/two.epl', 'epoll 3\n');
    file('d/notes.txt', 'not epl');
    const r = await epl('check', path.join(dir, 'd'));
    expect(r.out).toBe('2 files, 2 scenarios, 2 steps: ok\n');
    expect(r.code).toBe(0);
  });

  it('prints the located frame of a compile error to stderr and exits 2', async () => {
    const f = file('seed.epl', 'epoll 3\ntcp 5 6\ndup 5 -> 7\nshutdown 8 RD\n');
    const r = await epl('check', f);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${f}:4:10: unknown name '8' (known: 3, 5, 6, 7)\n  shutdown 8 RD\n           ^\n1 of 1 file failed\n`);
  });

  it('reports every failing file, and a syntax error like a compile error', async () => {
    const good = file('good.epl', 'pipe r w\n');
    const bad = file('bad.epl', 'tcp 5 6;\nclose 5 6\n');
    const r = await epl('check', bad, good);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:2:9: extra operand '6' after 'close 5'\n  close 5 6\n          ^\n`);
    expect(r.err).toContain('1 of 2 files failed');
  });

  it('says clearly that a file is missing, and exits 2', async () => {
    const r = await epl('check', path.join(dir, 'nope.epl'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${path.join(dir, 'nope.epl')}: no such file or folder\n1 of 1 file failed\n`);
  });

  it('wants at least one file, and knows no options', async () => {
    expect((await epl('check')).code).toBe(2);
    const r = await epl('check', '--bogus', 'x.epl');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--bogus'");
  });
});
