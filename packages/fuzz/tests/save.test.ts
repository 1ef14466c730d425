import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '@epl/compiler';
import { Op, OP_WORDS } from '@epl/program';
import type { ProgramCode } from '@epl/program';
import { Campaign, hasPair } from '../src/campaign';
import { FileSink, outDirProblem, stripExpectations } from '../src/save';
import { PlantedRunner, firstOp } from './helpers';

// A planted kernel (see campaign.test.ts): tcp and tcp6 disagree on a read after a shutdown.
function plantedKernel(i: number, p: ProgramCode, family: string) {
  if (p.code[i * OP_WORDS] !== Op.read || !hasPair({ ...p, names: [] })) return undefined;
  const sh = firstOp(p, Op.shutdown);
  if (sh < 0 || sh > i) return undefined;
  return family === 'tcp6' ? { ret: -1, errno: 11 } : { ret: 1, bytes: Uint8Array.of(97) };
}

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

async function campaignInto(dir: string) {
  const runner = new PlantedRunner(plantedKernel);
  const sink = new FileSink({ dir, seed: 'save', runner });
  const c = new Campaign(runner, { model: false, seed: 'save', count: 800, batch: 200, families: ['tcp', 'tcp6'], crossRate: 0.3, sink, shrinkBudget: 100 });
  const s = await c.run();
  sink.writeSummary(s, { count: 800 });
  return s;
}

describe('FileSink', () => {
  it('writes the same files for the same seed and count, whatever the timing', async () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-b-'));
    try {
      const s = await campaignInto(a);
      await campaignInto(b);
      const la = listing(a);
      expect(Object.keys(la).some((f) => f.startsWith('corpus/'))).toBe(true);
      const found = Object.keys(la).filter((f) => f.startsWith('findings/differential/') && f.endsWith('.epl'));
      expect(found.length).toBe(2); // the finding recorded on tcp, and on tcp6
      expect(listing(b)).toEqual(la);
      expect(s.findings.differential).toBe(1);
      // The saved finding: header with seed and key, then the recorded, shrunk sequence.
      const text = la[found.find((f) => !f.endsWith('.tcp6.epl'))!];
      expect(text).toMatch(/^# epl fuzz: differential differs\n/);
      expect(text).toMatch(/# key: tcp\/tcp6 read result: 1 \| EAGAIN/);
      expect(text).toMatch(/# seed save, sequence #\d+/);
      expect(text).toMatch(/read \d+ \d+ => "a"/);
      const side = JSON.parse(la[found[0].replace(/(\.tcp6)?\.epl$/, '.json')]) as { length: { from: number; to: number } };
      expect(side).toMatchObject({ seed: 'save', oracle: 'differential', kind: 'differs', verified: true });
      expect(side.length.to).toBeLessThan(side.length.from);
      const [program] = compile(text, 'x.epl');
      expect(program.steps.every((st) => st.expect !== undefined)).toBe(true);
      const summary = JSON.parse(la['summary.json']) as { records: { key: string }[] };
      expect(summary.records.map((r) => r.key)).toContain('tcp/tcp6 read result: 1 | EAGAIN');
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});

describe('stripExpectations', () => {
  it('drops the chosen => and ~> with their arrows, keeping everything else', () => {
    const t = 'pair 3 4 => ok ~> 3 > 4 S\nread 3 1   ~> none => "x"\nwait 3 => none # c\n';
    const out = stripExpectations(t, compile(t, 'x.epl'), (i) => (i === 0 ? 'wire' : i === 1 ? 'both' : 'result'));
    expect(out).toBe('pair 3 4 => ok\nread 3 1\nwait 3 # c\n');
  });
});

describe('outDirProblem: the output folder is checked before anything is written', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-fuzz-out-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('accepts an existing folder and creates missing ones, leaving nothing behind', () => {
    expect(outDirProblem(tmp)).toBeUndefined();
    const deep = path.join(tmp, 'a', 'b', 'c');
    expect(outDirProblem(deep)).toBeUndefined();
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(fs.readdirSync(deep)).toEqual([]);
  });

  it('names a file in the way, and a folder that cannot be made or written', () => {
    const file = path.join(tmp, 'f');
    fs.writeFileSync(file, '');
    expect(outDirProblem(file)).toBe(`${file}: ${file} is not a folder`);
    expect(outDirProblem(path.join(file, 'x', 'y'))).toBe(`${path.join(file, 'x', 'y')}: ${file} is not a folder`);
    expect(outDirProblem('/dev/null')).toBe('/dev/null: /dev/null is not a folder');
    expect(outDirProblem('/proc/self')).toMatch(/^\/proc\/self: cannot write files there \(E[A-Z]+\)$/);
    expect(() => new FileSink({ dir: '/dev/null', seed: 's', runner: new PlantedRunner(() => undefined) })).toThrow('/dev/null: /dev/null is not a folder');
  });

  it('returns at once where a recursive mkdir never does (/proc/x), in a child process', () => {
    const save = path.join(__dirname, '..', 'dist', 'save.js');
    const r = spawnSync(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(save)}).outDirProblem('/proc/x')))`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe('/proc/x: cannot create /proc/x (ENOENT)');
  });
});
