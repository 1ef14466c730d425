// What one run may take, whatever its Program does: wall time (LIMITS.maxRunMs, blocking
// closes included), kernel memory (LIMITS.maxQueuedBytes) and the size of its results. The
// Programs run in a child process (fixtures/limits-child.js), each on an isolated worker
// thread, so a run that blocked past its budget fails the test instead of holding jest; the
// child's own time and memory are bounded here.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { LIMITS } from '@epl/program';

const CHILD = path.join(__dirname, 'fixtures', 'limits-child.js');

interface Reply {
  name?: string;
  ops?: number;
  ms?: number;
  resultBytes?: number;
  error?: string;
  crashed?: string;
  steps?: { ret: number; errno: number; bytes: number }[];
  maxRssKb?: number;
}

function child(args: string[], timeoutMs: number): Map<string, Reply> {
  const t0 = Date.now();
  const out = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const took = Date.now() - t0;
  if (out.error || out.status !== 0) throw new Error(`child ${args.join(' ')}: ${String(out.error ?? out.status)} after ${took} ms\n${out.stderr}`);
  const replies = new Map<string, Reply>();
  for (const line of out.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as Reply;
    replies.set(r.name ?? 'process', r);
  }
  return replies;
}

describe('one run cannot take more than its limits', () => {
  // Every Program at once; the slowest needs LIMITS.maxRunMs. Before the time budget held,
  // `inherited` alone took 16 s and `busy` ran on for 20 s or more.
  let replies: Map<string, Reply>;
  beforeAll(() => {
    replies = child(['limits'], 3 * LIMITS.maxRunMs);
  }, 4 * LIMITS.maxRunMs);

  const get = (name: string): Reply & { steps: Reply['steps'] & object } => {
    const r = replies.get(name);
    expect(r?.crashed).toBeUndefined();
    return r as Reply & { steps: Reply['steps'] & object };
  };
  /** The op the run ended at, from its error; every op before it has a step. */
  const endedAt = (r: Reply): number => {
    const at = Number(/^over the [^:]+: op (\d+) /.exec(r.error ?? '')?.[1] ?? NaN);
    expect(r.steps).toHaveLength(at);
    return at;
  };

  it('a close that an inherited SO_LINGER may hold is refused when it no longer fits', () => {
    const r = get('inherited');
    expect(r.error).toMatch(/^over the time budget: op \d+ \(close\) could block 2000 ms \(SO_LINGER\), more than the \d+ ms left of the run's 11000 ms/);
    // 2 + 3 * 8 setup ops, then the closes: each one that ran blocked about 2 s.
    const closes = endedAt(r) - 26;
    expect(closes).toBeGreaterThanOrEqual(3);
    expect(closes).toBeLessThan(8);
    expect(r.steps.slice(26).every((s) => s.ret === 0)).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(closes * 2000 - 100);
    expect(r.ms).toBeLessThanOrEqual(LIMITS.maxRunMs + 500);
  });

  it("closing a dup is free; dup2 over a lingering socket's last descriptor counts", () => {
    const r = get('dups');
    expect(r.error).toMatch(/^over the time budget: op 15 \(dup2\) could block 2000 ms \(SO_LINGER of the descriptor it replaces\)/);
    expect(endedAt(r)).toBe(15);
    // close a1 (op 13) lingered about 2 s after 8 s of sleeps; close a0 (op 14) had d open beside it.
    expect(r.steps[13].ret).toBe(0);
    expect(r.steps[14].ret).toBe(0);
    expect(r.ms).toBeGreaterThanOrEqual(9900);
    expect(r.ms).toBeLessThanOrEqual(LIMITS.maxRunMs + 500);
  });

  it('no step starts after the run has used its time, busy or not', () => {
    const r = get('busy');
    expect(r.error).toMatch(/^over the time budget: op \d+ \((fill|drain)\) would start after the run's 11000 ms/);
    expect(endedAt(r)).toBeLessThan(r.ops!);
    expect(r.ms).toBeGreaterThanOrEqual(LIMITS.maxRunMs);
    expect(r.ms).toBeLessThanOrEqual(LIMITS.maxRunMs + 500);
  });

  it('a fill stops the run where the bytes written and not read back reach maxQueuedBytes', () => {
    const r = get('fills');
    expect(r.error).toMatch(/^over the queued-bytes limit: op \d+ \(fill\) took the bytes written and not read back to 67108864/);
    const at = endedAt(r);
    expect(at).toBeGreaterThan(65);
    const filled = r.steps.slice(65).reduce((a, s) => a + s.ret, 0);
    expect(filled).toBeLessThanOrEqual(LIMITS.maxQueuedBytes);
    expect(r.steps.slice(65).every((s) => s.ret > 0)).toBe(true);
  });

  it('a write that could pass maxQueuedBytes is refused before it runs', () => {
    const r = get('writes');
    expect(r.error).toMatch(/^over the queued-bytes limit: op \d+ \(write_n\) would write 1048576 bytes with \d+ written and not read back already/);
    const written = r.steps.slice(65).reduce((a, s) => a + Math.max(0, s.ret), 0);
    expect(endedAt(r)).toBeGreaterThan(65);
    expect(written).toBeLessThanOrEqual(LIMITS.maxQueuedBytes);
    expect(written + LIMITS.maxIoBytes).toBeGreaterThan(LIMITS.maxQueuedBytes);
  });

  it('what is read back is given back: fills and drains of a pipe may move more than the limit', () => {
    const r = get('drained');
    expect(r.error).toBeUndefined();
    expect(r.steps).toHaveLength(r.ops!);
    // A pipe holds 64 KiB: every fill writes that much and every drain takes it back.
    expect(r.steps.slice(1).every((s) => s.ret === 65536 && s.bytes === -1)).toBe(true);
    expect((r.steps.length - 1) * 32768).toBeGreaterThan(LIMITS.maxQueuedBytes);
  });
});

describe('the results of a run stay small', () => {
  it('2,047 pipe fills and drains: a few hundred KiB of results, where 32 MiB were kept', () => {
    const runs = 20;
    const r = child(['results', String(runs)], 120_000);
    const pairs = r.get('pipePairs')!;
    expect(pairs.crashed).toBeUndefined();
    expect(pairs.error).toBeUndefined();
    expect(pairs.steps).toHaveLength(4095);
    expect(pairs.steps!.slice(1).every((s) => s.ret === 65536 && s.bytes === -1)).toBe(true);
    // 24 header words and 13 words per step, nothing else.
    expect(pairs.resultBytes).toBeLessThan(4096 * 13 * 4 + 1024);
    // Every run's results kept at once: tens of MiB in all (they were 20 x 32 MiB).
    expect(r.get('process')!.maxRssKb).toBeLessThan(300 * 1024);
  });
});
