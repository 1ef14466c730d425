// Against the kernel, through the real Pool: a short campaign, its saved findings replayed by
// the runner (what `epl run` does) and passing, and the robustness oracle on a real crash.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '@epl/compiler';
import type { Family } from '@epl/program';
import { Pool, TEST_CRASH_OPCODE, check } from '@epl/runner';
import { Campaign } from '../src/campaign';
import { RunContext, robustness } from '../src/oracles';
import { FileSink } from '../src/save';
import { isolatedFdCounts } from '../src/leaks';
import { encode } from '../src/seq';

jest.setTimeout(300_000);

let pool: Pool;
let dir: string;
beforeAll(async () => {
  // The runner's test hook: a Program starting with TEST_CRASH_OPCODE makes its worker exit.
  process.env.EPL_RUNNER_TEST_HOOKS = '1';
  pool = new Pool({ workers: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-e2e-'));
});
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a campaign on the kernel', () => {
  it('runs, finds catalogued tcp/unix behaviour, and saves findings that replay and pass', async () => {
    const sink = new FileSink({ dir, seed: 'e2e', runner: pool });
    const s = await new Campaign(pool, { seed: 'e2e', count: 1500, batch: 300, sink, shrinkBudget: 60, fdCounts: isolatedFdCounts, leakCheckMs: 500 }).run();
    sink.writeSummary(s, {});
    expect(s.sequences).toBe(1500);
    // The executor closes what each scenario opened: the workers' descriptor counts held.
    expect(s.leakWindows).toEqual([]);
    expect(s.records.filter((r) => r.finding.kind === 'leak')).toEqual([]);
    expect(isolatedFdCounts().size).toBeGreaterThan(0);
    expect(s.ops).toBeGreaterThan(1500 * 25);
    expect(s.signatures).toBeGreaterThan(100);
    expect(s.corpus).toBeGreaterThan(10);
    // unix and tcp differ in many documented ways (EPIPE vs ECONNRESET, HUP on a half-closed pair…).
    expect(s.behaviours).toBeGreaterThan(0);
    const saved = [...sink.saved.values()];
    expect(saved.length).toBe(s.records.length);
    expect(saved.filter((x) => x.verified).length).toBeGreaterThanOrEqual(saved.length * 0.9);

    // Replay every verified file as `epl run` would: compile, run on the family it was recorded on, check.
    let replayed = 0;
    for (const x of saved.filter((v) => v.verified)) {
      for (const file of x.files) {
        const text = fs.readFileSync(file, 'utf8');
        const family = (/# recorded on (\w+);/.exec(text)?.[1] ?? 'tcp') as Family;
        const programs = compile(text, file);
        const results = await pool.runAll(programs, { family });
        programs.forEach((p, k) => {
          const c = check(p, results[k]);
          // A finding file's steps carry expectations: the replay checked something.
          expect([file, c.checked > 0]).toEqual([file, true]);
          // Replays can still meet a delayed ACK in another step; the finding's own step must hold.
          if (!c.pass) expect(c.failures.every((f) => f.kind === 'wire')).toBe(true);
        });
        replayed++;
      }
    }
    expect(replayed).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'corpus')).length).toBe(s.corpus);
  });
});

describe('robustness on the kernel path', () => {
  it('reports a worker that died as a crash', async () => {
    const seq = encode([{ code: 12, operands: ['3'] }]); // epoll 3, its opcode then replaced
    const crashing = { ...seq, code: Int32Array.from(seq.code, (w, i) => (i === 0 ? TEST_CRASH_OPCODE : w)) };
    const [r] = await pool.runAll([crashing], { family: 'tcp' });
    const f = robustness.check(new RunContext(crashing, 0, new Map([['tcp', [r]]])));
    expect(f.map((x) => x.kind)).toEqual(['crash']);
  });
  it('reports a malformed Program as a run error, and a good one as nothing', async () => {
    const seq = encode([{ code: 19, operands: ['3'] }]); // close 3 ...
    const bad = { ...seq, slotCount: 0 }; // ... with a slot the Program does not have
    const good = encode([{ code: 12, operands: ['3'] }]);
    const [r, ok] = await pool.runAll([bad, good], { family: 'tcp' });
    expect(robustness.check(new RunContext(bad, 0, new Map([['tcp', [r]]]))).map((x) => x.kind)).toEqual(['error']);
    expect(robustness.check(new RunContext(good, 0, new Map([['tcp', [ok]]])))).toEqual([]);
  });
});
