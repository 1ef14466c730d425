// Against the kernel, through the real Pool: a short campaign, its saved findings replayed by
// the runner (what `epl run` does) and passing, and the robustness oracle on a real crash.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '@epl/compiler';
import { check } from '@epl/check';
import { Pool, TEST_CRASH_OPCODE } from '@epl/pool';
import { Op } from '@epl/program';
import type { Family } from '@epl/program';
import { Campaign } from '../src/campaign';
import { onPool, resultOf, type Runner } from '../src/runs';
import { RunContext, modelOracle, robustness } from '../src/oracles';
import { FileSink } from '../src/save';
import { isolatedFdCounts } from '../src/leaks';
import { decode, encode } from '../src/seq';

jest.setTimeout(300_000);

let pool: Pool;
let runner: Runner;
let dir: string;
beforeAll(async () => {
  // The pool's test hook: a Program starting with TEST_CRASH_OPCODE makes its worker exit.
  process.env.EPL_POOL_TEST_HOOKS = '1';
  pool = new Pool({ workers: 2 });
  runner = onPool(pool);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-e2e-'));
});
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a campaign on the kernel', () => {
  it('runs, finds catalogued tcp/unix behaviour, and saves findings that replay and pass', async () => {
    const sink = new FileSink({ dir, seed: 'e2e', runner });
    const s = await new Campaign(runner, { seed: 'e2e', count: 1500, batch: 300, sink, shrinkBudget: 60, fdCounts: isolatedFdCounts, leakCheckMs: 500 }).run();
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

    // Replay every verified file as `epl run --retries 2` would: compile, run on the family it
    // was recorded on, check, and run again (up to three runs) while the finding's own step
    // fails. That step must hold in one of them: a pure ACK leaves at once or on the delayed-ACK
    // timer depending on timing a loaded machine can shift (the corpus allows the same retries).
    // Another step may meet TCP timing (a delayed ACK, a fill that took a few more bytes) that
    // the three replays at save time did not show.
    let replayed = 0;
    let clean = 0;
    for (const x of saved.filter((v) => v.verified)) {
      const side = JSON.parse(fs.readFileSync(x.files[0].replace(/\.epl$/, '.json'), 'utf8')) as { step: number };
      for (const file of x.files) {
        const text = fs.readFileSync(file, 'utf8');
        const family = (/# recorded on (\w+);/.exec(text)?.[1] ?? 'tcp') as Family;
        for (const p of compile(text, file)) {
          for (let attempt = 1; ; attempt++) {
            const [run] = await runner.runAll([p], { family });
            expect([file, run.lost]).toEqual([file, undefined]);
            const c = check(p, run.view!);
            expect([file, c.error, c.checked > 0]).toEqual([file, undefined, true]);
            const onSide = c.failures.filter((f) => f.index === side.step);
            if (onSide.length > 0 && attempt < 3) continue;
            expect([file, onSide]).toEqual([file, []]);
            if (c.status === 'passed') clean++;
            break;
          }
        }
        replayed++;
      }
    }
    expect(clean).toBeGreaterThanOrEqual(replayed * 0.8);
    // The catalogue names the model's rules that part the families, in each behaviour file.
    const behaviour = s.records.filter((r) => !r.finding.bug).map((r) => fs.readFileSync(sink.saved.get(r)!.files[0], 'utf8'));
    expect(behaviour.length).toBeGreaterThan(0);
    for (const text of behaviour) expect(text).toMatch(/\n# step \d+ as the model sees it:\n# {3}(tcp|tcp6|unix): [a-z0-9]+\.[a-z-]+: /);
    expect(replayed).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'corpus')).length).toBe(s.corpus);
  });
});

describe('robustness on the kernel path', () => {
  it('reports a worker that died as a crash', async () => {
    const seq = encode([{ code: 12, operands: ['3'] }]); // epoll 3, its opcode then replaced
    const crashing = { ...seq, code: Int32Array.from(seq.code, (w, i) => (i === 0 ? TEST_CRASH_OPCODE : w)) };
    const [r] = (await runner.runAll([crashing], { family: 'tcp' })).map((x) => resultOf(x, 'tcp'));
    const f = robustness.check(new RunContext(crashing, 0, new Map([['tcp', [r]]])));
    expect(f.map((x) => x.kind)).toEqual(['crash']);
  });
  it('reports a malformed Program as a run error, and a good one as nothing', async () => {
    const seq = encode([{ code: 19, operands: ['3'] }]); // close 3 ...
    const bad = { ...seq, slotCount: 0 }; // ... with a slot the Program does not have
    const good = encode([{ code: 12, operands: ['3'] }]);
    const [r, ok] = (await runner.runAll([bad, good], { family: 'tcp' })).map((x) => resultOf(x, 'tcp'));
    expect(robustness.check(new RunContext(bad, 0, new Map([['tcp', [r]]]))).map((x) => x.kind)).toEqual(['error']);
    expect(robustness.check(new RunContext(good, 0, new Map([['tcp', [ok]]])))).toEqual([]);
  });
});

describe('the model oracle on the kernel', () => {
  it('catches a planted disagreement (a rule of the model flipped), shrinks it, and saves it with both answers and the reasons', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-model-'));
    try {
      const sink = new FileSink({ dir: out, seed: 'model', runner, corpus: false });
      const s = await new Campaign(runner, {
        seed: 'model',
        count: 300,
        batch: 150,
        families: ['tcp'],
        oracles: [modelOracle({ flip: ['epoll.lt-requeue'] })],
        sink,
        shrinkBudget: 100,
      }).run();
      // Level-triggered items not put back on the ready list: a later wait misses what the kernel reports again.
      const missed = s.records.filter((r) => /^model tcp wait ready: kernel \S+ \| model none$/.test(r.finding.key));
      expect(missed.length).toBeGreaterThan(0);
      expect(s.findings.model).toBe(s.records.length);
      const r = missed[0];
      const final = r.final!;
      // Shrunk to what shows it: something ready, an epoll, a registration, two waits (and maybe a write).
      expect(r.shrunk!.to).toBeLessThanOrEqual(6);
      expect(r.shrunk!.to).toBeLessThan(r.shrunk!.from);
      const ops = decode(r.shrunk!.seq).map((o) => o.code);
      expect(ops.filter((c) => c === Op.wait)).toHaveLength(2);
      expect(ops[final.step]).toBe(Op.wait);
      const saved = sink.saved.get(r)!;
      const text = fs.readFileSync(saved.files[0], 'utf8');
      expect(text).toContain(`# epl fuzz: model ready\n# ${final.message}\n`);
      // Both answers (the count, then the list), then the model's reasons.
      expect(text).toMatch(
        new RegExp(
          `# step ${final.step + 1} as the model and the kernel see it:\\n(#   result: kernel \\d+, model \\d+\\n)?#   ready: kernel .+, model none\\n#   model's reason \\(`,
        ),
      );
      expect(text).toMatch(/; the model's account: epl explain \S+\.epl\n/);
      expect(path.relative(out, saved.files[0])).toMatch(/^findings\/model\/\d{8}-ready-[0-9a-f]{8}\.epl$/);
      const side = JSON.parse(fs.readFileSync(saved.files[0].replace(/\.epl$/, '.json'), 'utf8')) as { oracle: string; details: string[]; verified: boolean };
      expect(side.oracle).toBe('model');
      expect(side.details.some((d) => /^ready: kernel .+, model none$/.test(d))).toBe(true);
      expect(side.verified).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
