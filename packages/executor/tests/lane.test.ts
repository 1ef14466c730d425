// Lanes: one native thread per lane, isolated at its start, running batches for whatever thread
// opened it (here jest's main thread). Results must be what a run() gives; the opener's
// descriptors and namespace must be untouched; a lane must never hold a process or leak.
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import * as path from 'path';
import { EPOLL_FLAGS, ERRNO, ProgramBuilder, programCode, type Family, type ProgramCode, type RunResult } from '@epl/program';
import { BATCH_META_WORDS, openLane, packBatch, readBatch, run, type IsolatedBatch, type PackedBatch } from '../src';
import { native } from '../src/native';

const CHILD = path.join(__dirname, 'fixtures', 'lane-child.js');
const ALL = EPOLL_FLAGS.IN | EPOLL_FLAGS.OUT | EPOLL_FLAGS.ERR | EPOLL_FLAGS.HUP | EPOLL_FLAGS.RDHUP;
const root = process.getuid?.() === 0;

// Writing to a peer that closed brings an RST back (step 7).
function rstAfterClose(): ProgramCode {
  const b = new ProgramBuilder()
    .op('tcp', ['5', '6'])
    .op('epoll', ['3'])
    .op('add', ['3', '5', ALL, '5'])
    .op('add', ['3', '6', ALL, '6'])
    .op('wait', ['3', 8, 0]);
  b.op('close', ['6']).op('wait', ['3', 8, 0]).op('write', ['5', 'x']).op('wait', ['3', 8, 0]);
  return programCode(b.build());
}
const sleeper = (ms: number): ProgramCode => programCode(new ProgramBuilder().op('sleep', [ms]).build());

function packed(programs: readonly ProgramCode[], family: Family = 'tcp'): PackedBatch {
  return packBatch(programs.map((program) => ({ program, family })));
}

function results(batch: IsolatedBatch): RunResult[] {
  return readBatch(batch.raw).map((v) => v.toResult());
}

// A pure ACK may leave at once or on the delayed-ACK timer (see workers.test.ts): compared without.
function observed(r: RunResult) {
  return r.steps.map((s) => ({ ret: s.ret, errno: s.errno, ready: s.ready, wire: s.wire.filter((g) => !(g.flags === 0x10 && g.len === 0)) }));
}

const openFds = (): string[] => readdirSync('/proc/self/fd').sort();

describe('a lane opened on the main thread', () => {
  it('runs a batch as run() would, isolated (private fd table; own namespace as root)', async () => {
    const lane = openLane();
    try {
      const p = rstAfterClose();
      const batch = await lane.run(packed([p, p, p]));
      expect(batch.error).toBeUndefined();
      expect(batch.files).toBe(true);
      expect(batch.netns).toBe(root);
      if (!root) expect(batch.reason).toMatch(/CLONE_NEWNET/);
      const got = results(batch);
      expect(got).toHaveLength(3);
      const direct = run(p, { family: 'tcp' }).toResult();
      for (const r of got) {
        expect(r.error).toBeUndefined();
        expect(r.netns).toBe(root);
        expect(r.wire.captured).toBe(direct.wire.captured);
        expect(observed(r)).toEqual(observed(direct));
      }
      expect(got[0].steps[7].ret).toBe(1);
      // The write after the peer's close is answered by an RST, seen by the capture.
      if (root) expect(got[0].steps[7].wire.map((g) => g.flags & 0x04)).toContain(0x04);
      else expect(got[0].wire.reason).toMatch(/^no CAP_NET_RAW/);
    } finally {
      lane.close();
    }
  });

  it('runs batches in the order given, each with the family given', async () => {
    const lane = openLane();
    try {
      const pair = programCode(new ProgramBuilder().op('pair', ['a', 'b']).build());
      const [a, b, c] = await Promise.all([lane.run(packed([pair], 'unix')), lane.run(packed([pair, pair], 'tcp6')), lane.run(packed([]))]);
      expect(results(a).map((r) => r.family)).toEqual(['unix']);
      expect(results(b).map((r) => r.family)).toEqual(['tcp6', 'tcp6']);
      expect(results(c)).toEqual([]);
    } finally {
      lane.close();
    }
  });

  it('leaves the main thread its own descriptors: none gained or lost over 20 lanes', async () => {
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      const lane = openLane();
      await lane.run(packed([rstAfterClose()]));
      lane.close();
    }
    expect(openFds()).toEqual(before);
  });

  it('finishes the running batch at close, refuses the queued ones, and refuses runs after', async () => {
    const lane = openLane();
    const first = lane.run(packed([sleeper(100)]));
    const queued = lane.run(packed([sleeper(1)]));
    // Give the lane's thread time to take the first batch.
    await new Promise((r) => setTimeout(r, 30));
    lane.close();
    const [a, b] = await Promise.all([first, queued]);
    expect(a.error).toBeUndefined();
    expect(results(a)[0].steps).toHaveLength(1);
    expect(b.error).toBe('the lane was closed before this batch ran');
    expect(() => lane.run(packed([sleeper(1)]))).toThrow('the lane is closed');
    lane.close(); // twice is fine
  });

  it('refuses a malformed batch with a TypeError, and a malformed Program with its own error', async () => {
    const lane = openLane();
    try {
      const p = sleeper(1);
      // The addon's TypeError is another realm's under jest: compared by name and message.
      const thrown = (f: () => unknown): { name: string; message: string } => {
        try {
          f();
        } catch (e) {
          return { name: (e as Error).name, message: (e as Error).message };
        }
        return { name: 'none', message: 'nothing thrown' };
      };
      expect(thrown(() => lane.run({ code: p.code, strings: p.strings, meta: Int32Array.of(0, 99, 0, 0, 0, 0) }))).toEqual({
        name: 'TypeError',
        message: 'Program 0 of the batch lies outside its code',
      });
      expect(() => lane.run({ code: p.code, strings: p.strings, meta: Int32Array.of(0, p.code.length, 5, 1, 0, 0) })).toThrow(/lies outside its strings/);
      expect(() => lane.run({ code: p.code, strings: p.strings, meta: Int32Array.of(0, 1) })).toThrow(/6 words per Program/);
      expect(thrown(() => native().laneRun({}, p.code, p.strings, new Int32Array(0)))).toEqual({ name: 'TypeError', message: 'lane must be a lane handle' });
      expect(() => native().closeLane(42)).toThrow(/not a lane handle/);
      const bad = { code: Int32Array.of(9999, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };
      const [r] = results(await lane.run(packed([bad])));
      expect(r.error).toMatch(/opcode/);
    } finally {
      lane.close();
    }
  });
});

describe('the batch table', () => {
  it('has as many words per Program natively as BATCH_META_WORDS says', () => {
    expect(native().info().batchMetaWords).toBe(BATCH_META_WORDS);
  });
});

describe('a lane in a child process', () => {
  it('does not keep the process alive while idle', () => {
    const child = spawnSync(process.execPath, [CHILD, 'idle'], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: child.status, signal: child.signal, stdout: child.stdout.trim() }).toEqual({ status: 0, signal: null, stdout: '{"opened":true}' });
  });

  it('is stopped with the worker that opened it, mid-batch, and the process lives on', () => {
    const child = spawnSync(process.execPath, [CHILD, 'terminate'], { encoding: 'utf8', timeout: 20_000 });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual({ alive: true, code: 1 });
  });
});

describe('listening sockets in a namespace full of TIME_WAIT sockets', () => {
  // The accepted end closes first, so each scenario leaves a TIME_WAIT socket on its listener's
  // port for a minute. Bound to port 0, listeners found every port held after ~28,000 such
  // scenarios: bind() then took milliseconds and failed with EADDRINUSE. The executor picks
  // their ports itself, with SO_REUSEADDR (bindListener in executor.cc).
  const pair = programCode(new ProgramBuilder().op('tcp', ['a', 'b']).op('close', ['b']).op('close', ['a']).build());
  const listen = programCode(
    new ProgramBuilder()
      .op('listen', ['l'])
      .op('connect_new', ['c', 'l'])
      .op('accept', ['l', 's'])
      .op('close', ['s'])
      .op('close', ['c'])
      .op('close', ['l'])
      .build(),
  );

  it('a lane runs 40,000 `tcp` pairs and 20,000 `listen` scenarios in its namespace, none failing', async () => {
    const lane = openLane();
    try {
      const first = await lane.run(packed([pair]));
      // Without a namespace of its own (unprivileged) the lane shares the host's port space: a
      // few are run there, not tens of thousands.
      const scale = first.netns ? 1 : 0.025;
      const failures = new Map<string, number>();
      const tally = (what: string, batch: IsolatedBatch, ok: (r: RunResult) => boolean) => {
        for (const r of results(batch)) if (!ok(r)) failures.set(what, (failures.get(what) ?? 0) + 1);
      };
      const cleanPair = (r: RunResult) => r.error === undefined && r.steps.every((s) => s.errno === 0);
      // A non-blocking connect() on loopback may answer EINPROGRESS; nothing else may fail.
      const cleanListen = (r: RunResult) => r.error === undefined && r.steps.every((s, i) => s.errno === 0 || (i === 1 && s.errno === ERRNO.EINPROGRESS));
      for (let n = 0; n < 40000 * scale; n += 5000)
        tally('tcp', await lane.run(packed(new Array<ProgramCode>(Math.min(5000, 40000 * scale - n)).fill(pair))), cleanPair);
      for (let n = 0; n < 20000 * scale; n += 5000) {
        tally('tcp6', await lane.run(packed(new Array<ProgramCode>(Math.min(5000, 20000 * scale - n)).fill(pair), 'tcp6')), cleanPair);
        tally('listen', await lane.run(packed(new Array<ProgramCode>(Math.min(5000, 20000 * scale - n)).fill(listen))), cleanListen);
      }
      expect(Object.fromEntries(failures)).toEqual({});
    } finally {
      lane.close();
    }
  }, 120_000);
});
