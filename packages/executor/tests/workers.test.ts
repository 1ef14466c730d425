// Two worker threads, each isolate()d, run the same Program concurrently many times: every
// result is the same (each thread has its own descriptor table, and its own namespace and
// capture when permitted; on the host loopback strangers are filtered by 4-tuple).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { EPOLL_FLAGS, ProgramBuilder, programCode, type Family, type RunResult } from '@epl/program';

const WORKER = path.join(__dirname, 'fixtures', 'worker.js');
const TIMES = 400;
const ALL = EPOLL_FLAGS.IN | EPOLL_FLAGS.OUT | EPOLL_FLAGS.ERR | EPOLL_FLAGS.HUP | EPOLL_FLAGS.RDHUP;

interface Reply {
  isolation: { files: boolean; netns: boolean; reason?: string };
  results: RunResult[];
}

function start(program: ReturnType<typeof programCode>, family: Family): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: { program, family, times: TIMES } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

// Whether a pure ACK (no payload, no SYN/FIN/RST) goes out at once or on the 20-40 ms
// delayed-ACK timer depends on timing: the receiver enters pingpong mode only when it sends
// within `ato` of its last receive, which a loaded machine may miss. Results are compared
// without pure ACKs; every other segment, result and ready list must be identical. The only
// FIN is sent by the last step, so the ACK timer rarely fires inside the Program at all.
const b = new ProgramBuilder()
  .op('pair', ['5', '6'])
  .op('epoll', ['3'])
  .op('add', ['3', '5', ALL, '5'])
  .op('add', ['3', '6', ALL, '6'])
  .op('wait', ['3', 8, 0]);
for (const [name, operands, wait] of [
  ['write', ['6', 'a'], true],
  ['read', ['5', 1], true],
  ['dup', ['5', '7'], false],
  ['add', ['3', '7', ALL, '7'], false],
  ['shutdown', ['7', 0], true],
  ['read', ['5', 1], false],
  ['write', ['6', 'bc'], true],
  ['read', ['5', 5], true],
  ['close', ['7'], true],
  ['del', ['3', '7'], false],
  ['write', ['5', 'z'], true],
  ['read', ['6', 5], false],
  ['close', ['5'], false],
] as const) {
  b.op(name, [...operands]);
  if (wait) b.op('wait', ['3', 8, 0]);
}
const PROGRAM = programCode(b.build());
const root = process.getuid?.() === 0;

function withoutPureAcks(r: RunResult): RunResult {
  return { ...r, steps: r.steps.map((s) => ({ ...s, wire: s.wire.filter((g) => !(g.flags === 0x10 && g.len === 0)) })) };
}

describe.each(['tcp', 'tcp6', 'unix'] as const)('two isolated workers, family %s', (family) => {
  it(`give identical results ${TIMES} times each`, async () => {
    const [one, two] = await Promise.all([start(PROGRAM, family), start(PROGRAM, family)]);
    for (const r of [one, two]) {
      // As root a namespace of its own; unprivileged, none, and the reason says which unshare was refused.
      const unprivileged: unknown = { files: true, netns: false, reason: expect.stringMatching(/CLONE_NEWNET/) as unknown };
      expect(r.isolation).toEqual(root ? { files: true, netns: true } : unprivileged);
      expect(r.results).toHaveLength(TIMES);
    }
    const first = one.results[0];
    expect(first.error).toBeUndefined();
    expect(first.family).toBe(family);
    // After the peer's SHUT_RD a TCP write still goes out; a unix one is EPIPE (then EOF).
    const [write, read] = family === 'unix' ? [-1, 0] : [2, 2];
    expect(first.steps.map((s) => s.ret)).toEqual([0, 0, 0, 0, 2, 1, 2, 1, 2, 0, 0, 0, 3, 0, write, 3, read, 3, 0, 3, -1, 1, 3, 1, 0]);
    expect(first.steps[first.steps.length - 5].errno).toBe(9); // del after close: EBADF without a syscall
    // Unprivileged there is no capture, and the run says why.
    expect(first.wire.captured ? first.steps[0].wire.map((s) => s.flags) : first.wire.reason).toEqual(
      !root ? expect.stringMatching(/^no CAP_NET_RAW/) : family === 'unix' ? [] : [0x02, 0x12, 0x10],
    );
    const firstSteady = withoutPureAcks(first);
    for (const r of [...one.results, ...two.results]) expect(withoutPureAcks(r)).toEqual(firstSteady);
  }, 60_000);
});

describe('a worker terminated inside the addon', () => {
  it('leaves the process alive (no exception thrown out of a terminating environment)', () => {
    const child = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'terminate-child.js')], { encoding: 'utf8', timeout: 20000 });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual({ alive: true, code: 1 });
  });
});
