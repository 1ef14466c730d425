// Without privileges (uid 65534 via setpriv when we are root): everything but the wire works,
// RunResult.wire says why there is none, and isolate() (and a lane's thread) gets a private fd
// table but no network namespace, with the reason.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { EPOLL_FLAGS, ProgramBuilder, programCode } from '@epl/program';

const CHILD = path.join(__dirname, 'fixtures', 'unprivileged-child.js');
const ALL = EPOLL_FLAGS.IN | EPOLL_FLAGS.OUT | EPOLL_FLAGS.ERR | EPOLL_FLAGS.HUP | EPOLL_FLAGS.RDHUP;

// Founding scenario 1.
const b = new ProgramBuilder().op('tcp', ['5', '6']).op('epoll', ['3']).op('add', ['3', '5', ALL, '5']).op('add', ['3', '6', ALL, '6']).op('wait', ['3', 8, 0]);
b.op('shutdown', ['5', 0]).op('wait', ['3', 8, 0]).op('read', ['5', 1]).op('write', ['6', 'a']).op('read', ['5', 1]).op('close', ['5']).op('wait', ['3', 8, 0]);
const PROGRAM = programCode(b.build());

interface Summary {
  error?: string;
  netns: boolean;
  wire: { captured: boolean; reason?: string };
  steps: { ret: number; errno: number; ready?: { slot: number; events: number }[]; wire: number; bytes?: string }[];
}

it('runs without privileges: no wire (and says why), no network namespace (and says why)', () => {
  const env = { ...process.env, EPL_PROGRAM_JSON: JSON.stringify({ ...PROGRAM, code: Array.from(PROGRAM.code), strings: Array.from(PROGRAM.strings) }) };
  const root = process.getuid?.() === 0;
  // As root, drop to nobody; otherwise we are unprivileged already.
  const [cmd, args] = root ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CHILD]] : [process.execPath, [CHILD]];
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, cwd: '/', timeout: 60_000 });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  type Isolation = { files: boolean; netns: boolean; reason?: string };
  const out = JSON.parse(r.stdout.trim()) as {
    uid: number;
    main: Summary;
    workerRun: Summary;
    laneRun: Summary;
    isolation: Isolation;
    laneIsolation: Isolation;
  };
  expect(out.uid).not.toBe(0);
  for (const run of [out.main, out.workerRun, out.laneRun]) {
    expect(run.error).toBeUndefined();
    expect(run.netns).toBe(false);
    expect(run.wire.captured).toBe(false);
    expect(run.wire.reason).toMatch(/^no CAP_NET_RAW: opening a packet socket was refused \(Operation not permitted\), so segments cannot be captured$/);
    expect(run.steps.map((s) => s.ret)).toEqual([0, 0, 0, 0, 2, 0, 2, 0, 1, 1, 0, 1]);
    expect(run.steps.map((s) => s.bytes)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      '',
      undefined,
      'a',
      undefined,
      undefined,
    ]);
    expect(run.steps[6].ready).toEqual([
      { slot: 0, events: EPOLL_FLAGS.IN | EPOLL_FLAGS.OUT | EPOLL_FLAGS.RDHUP },
      { slot: 1, events: EPOLL_FLAGS.OUT },
    ]); // 5 and 6
    expect(run.steps.every((s) => s.wire === 0)).toBe(true);
  }
  for (const isolation of [out.isolation, out.laneIsolation]) {
    expect(isolation).toEqual({
      files: true,
      netns: false,
      reason: 'no CAP_SYS_ADMIN: unshare(CLONE_NEWNET) was refused (Operation not permitted), so runs use the host loopback',
    });
  }
}, 60_000);
