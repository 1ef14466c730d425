// `epl record` end to end: record, then the recorded file passes `epl run`.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compile } from '@epl/compiler';
import { main } from '../../src/main';
import { captureIo } from './io';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-record-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function epl(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

const SOURCE = `# Exploring: what does SHUT_WR look like?
tcp 5 6
epoll 3  ;  add 3 5 IN|OUT|RDHUP     # two statements on a line
add 3 6 IN|OUT|RDHUP => 0

scenario "half close" {
\tshutdown 5 WR      # tab-indented
    wait
  write 5 "a"
}

scenario "pipe in a tcp file" {
  pipe r w
  write w "\\x00\\x01z"
  read r
}
`;

describe('epl record', () => {
  it('fills in every step and keeps everything else byte for byte; the result passes epl run', async () => {
    const f = path.join(dir, 'explore.epl');
    writeFileSync(f, SOURCE);
    const rec = await epl('record', f);
    expect(rec.code).toBe(0);
    const text = rec.out;
    // The source comes back piece by piece between the steps' ends, and what lies between
    // two pieces is only an inserted ` => …` / ` ~> …` on the same line.
    const ends = [...new Set(compile(SOURCE, f).flatMap((p) => p.steps.map((st) => st.end)))].sort((a, b) => a - b);
    const cuts = [0, ...ends, SOURCE.length];
    let pos = 0;
    const inserted: string[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const piece = SOURCE.slice(cuts[k], cuts[k + 1]);
      const at = text.indexOf(piece, pos);
      expect(at).toBeGreaterThanOrEqual(pos);
      if (k > 0) inserted.push(text.slice(pos, at));
      pos = at + piece.length;
    }
    expect(pos).toBe(text.length);
    for (const ins of inserted) expect(ins).toMatch(/^(| => [^\n]+?)(| ~> [^\n]+)$/);
    // 4 setup steps and 3 in each scenario.
    expect(inserted.filter((x) => x !== '')).toHaveLength(10);
    expect(text).toContain('\tshutdown 5 WR => 0');
    expect(text).toContain('    wait => ');
    expect(text).toContain('write 5 "a" => EPIPE');
    expect(text).toContain('add 3 6 IN|OUT|RDHUP => 0 ~> none\n');
    expect(text).toContain('read r => "\\x00\\x01z"');
    // Round trip: the recorded file passes. With up to two retries, as the corpus runs: whether
    // the peer's pure ACK of the FIN leaves at once or on the delayed-ACK timer depends on
    // timing a loaded machine can shift (packages/runner/README.md, retries).
    const g = path.join(dir, 'recorded.epl');
    writeFileSync(g, text);
    const run = await epl('run', '--retries', '2', g);
    expect([run.code, run.out]).toEqual([0, expect.stringContaining(`PASS ${g} (2 scenarios)`) as unknown]);
  });

  it('--write rewrites the file; a second record changes nothing', async () => {
    const f = path.join(dir, 'w.epl');
    writeFileSync(f, 'pipe r w\nwrite w "hi"\nread r\n');
    expect((await epl('record', '--write', f)).code).toBe(0);
    const once = readFileSync(f, 'utf8');
    expect(once).toBe('pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
    expect((await epl('record', f)).out).toBe(once);
  });

  it('records ~> only when the wire was captured, and only in TCP scenarios', async () => {
    const f = path.join(dir, 'tcp.epl');
    writeFileSync(f, 'tcp 5 6\nshutdown 5 WR\n');
    const r = await epl('record', f);
    expect(r.code).toBe(0);
    if (r.err.includes('wire not captured')) expect(r.out).not.toContain('~>');
    else expect(r.out).toMatch(/^tcp 5 6 => ok ~> 5 > 6 S, 6 > 5 S\., 5 > 6 \.\nshutdown 5 WR => 0 ~> 5 > 6 F\./);
  });

  it('--write on a file it may not write is one line and exit 74, the file untouched', () => {
    const f = path.join(dir, 'locked.epl');
    writeFileSync(f, 'pipe r w\n');
    chmodSync(f, 0o444);
    chmodSync(dir, 0o755);
    // Root may write anything: the command runs as nobody there.
    const as = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const argv = [...as, process.execPath, path.join(__dirname, '..', '..', 'bin', 'epl.js'), 'record', '--write', f];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000, env: process.env });
    expect({ code: r.status, err: r.stderr.replace(/^wire not captured.*\n/m, '') }).toEqual({ code: 74, err: `epl record: cannot write ${f}: EACCES\n` });
    expect(readFileSync(f, 'utf8')).toBe('pipe r w\n');
  });

  it('exit 2 on usage and compile errors', async () => {
    expect((await epl('record')).code).toBe(2);
    expect((await epl('record', path.join(dir, 'missing.epl'))).code).toBe(2);
    const f = path.join(dir, 'bad.epl');
    writeFileSync(f, 'close nobody\n');
    const r = await epl('record', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:1:7`);
  });
});
