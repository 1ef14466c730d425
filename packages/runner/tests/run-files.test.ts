// runFiles through the real compiler and executor.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from '../src/pool';
import { expandPaths, runFiles } from '../src/run-files';

let dir: string;
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'epl-run-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('expandPaths', () => {
  it('finds *.epl below folders, recursively and sorted; files stay as given', async () => {
    write('b/z.epl', '');
    write('b/a/y.epl', '');
    write('b/notes.txt', '');
    const x = write('x.txt', '');
    const { files, missing } = await expandPaths([path.join(dir, 'b'), x, path.join(dir, 'nope')]);
    expect(files).toEqual([path.join(dir, 'b/a/y.epl'), path.join(dir, 'b/z.epl'), x]);
    expect(missing).toEqual([path.join(dir, 'nope')]);
  });
});

describe('runFiles', () => {
  it('a compile error is that file\'s located error; the other files still run', async () => {
    const bad = write('bad.epl', 'pipe r w\nclose q\n');
    const good = write('good.epl', 'pipe r w => ok\nwrite w "hi" => 2\nread r => "hi"\n');
    const [b, g] = await runFiles([bad, good], { workers: 1 });
    expect(b.pass).toBe(false);
    expect(b.error?.line).toBe(2);
    expect(b.error?.message).toMatch(/bad\.epl:2:\d+: /);
    expect(b.scenarios).toEqual([]);
    expect(g.pass).toBe(true);
    expect(g.scenarios).toHaveLength(1);
  });

  it('a failed expectation fails the scenario and says where', async () => {
    const f = write('f.epl', 'pipe r w\nwrite w "hi" => 3\n');
    const [r] = await runFiles([f], { workers: 1 });
    expect(r.pass).toBe(false);
    expect(r.scenarios[0].check.failures.map((x) => [x.line, x.expected, x.got])).toEqual([[2, '3', '2']]);
  });

  it('runs each scenario once per family, and filters by title', async () => {
    const f = write(
      'fam.epl',
      'pair a b\nscenario "write" {\n  write a "x" => 1\n}\nscenario "shut" {\n  shutdown a WR => 0\n  read b => ""\n}\n',
    );
    const [all] = await runFiles([f], { workers: 2, families: ['tcp', 'tcp6', 'unix'] });
    expect(all.scenarios.map((s) => `${s.title}/${s.family}`)).toEqual(['write/tcp', 'write/tcp6', 'write/unix', 'shut/tcp', 'shut/tcp6', 'shut/unix']);
    expect(all.pass).toBe(true);
    const [some] = await runFiles([f], { workers: 1, filter: 'SHU' });
    expect(some.scenarios.map((s) => s.title)).toEqual(['shut']);
  });

  it('a scenario over its budget is an error; the run goes on', async () => {
    const slow = write('slow.epl', 'scenario "slow" {\n  sleep 1500\n}\nscenario "quick" {\n  pipe r w => ok\n}\n');
    const other = write('other.epl', 'eventfd e 1 => ok\nread e 8 => "\\x01\\0\\0\\0\\0\\0\\0\\0"\n');
    const pool = new Pool({ workers: 2, budgetMs: 200, marginMs: 200 });
    try {
      const [s, o] = await runFiles([slow, other], { pool });
      expect(s.scenarios.map((x) => [x.title, x.pass, x.result.error === undefined])).toEqual([
        ['slow', false, false],
        ['quick', true, true],
      ]);
      expect(s.scenarios[0].result.error).toMatch(/over its time budget/);
      expect(o.pass).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('100 files on 2 workers all pass', async () => {
    const files = Array.from({ length: 100 }, (_, i) =>
      write(`many/f${String(i).padStart(3, '0')}.epl`, `tcp 5 6\nwrite 5 "${i}" => ${String(i).length}\nread 6 => "${i}"\nclose 5 => 0\nread 6 => ""\n`),
    );
    const reports = await runFiles([path.join(dir, 'many')], { workers: 2 });
    expect(reports.map((r) => r.file)).toEqual(files);
    expect(reports.filter((r) => !r.pass).map((r) => r.file)).toEqual([]);
    expect(reports.every((r) => r.scenarios.length === 1)).toBe(true);
  });
});
