// The public API on the real kernel (jest's main thread: host loopback, never isolated):
// op semantics, the EBADF rule, validation, limits, sessions, runBatch and fd hygiene.
import { closeSync, fstatSync, openSync, readdirSync, readlinkSync } from 'fs';
import {
  EPOLL_FLAGS,
  LIMITS,
  OP_WORDS,
  Op,
  ProgramBuilder,
  errnoName,
  formatTcpFlags,
  type OpName,
  type Program,
  type ProgramCode,
  type RunResult,
  type StepResult,
} from '@epl/program';
import { BATCH_META_WORDS, isolate, openSession, packBatch, readBatch, run as runView, runBatch } from '../src';

const run = (code: ProgramCode, opts?: { family?: 'tcp' | 'tcp6' | 'unix' }): RunResult => runView(code, opts).toResult();

type Row = [OpName, (string | number | Uint8Array)[]];

function prog(...rows: Row[]): Program {
  const b = new ProgramBuilder();
  for (const [name, operands] of rows) b.op(name, operands);
  return b.build();
}

/** A step's result as a script would write it: ok, a number, an errno name, plus bytes for reads. */
function res(s: StepResult): string {
  const r = s.ret < 0 ? errnoName(s.errno) : String(s.ret);
  return s.bytes ? `${r} ${JSON.stringify(Buffer.from(s.bytes).toString('latin1'))}` : r;
}

function results(r: RunResult): string[] {
  expect(r.error).toBeUndefined();
  return r.steps.map(res);
}

function wire(p: Program, s: StepResult): string {
  return s.wire.map((x) => `${p.names[x.src]}>${p.names[x.dst]} ${formatTcpFlags(x.flags)}${x.len ? ` len ${x.len}` : ''}`).join(', ');
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

let baseline = 0;
beforeAll(() => {
  run(prog()); // load the addon and open the capture socket once
  baseline = openFds();
});
afterAll(() => {
  // Every descriptor any run in this file opened is closed again.
  expect(openFds()).toBe(baseline);
});

describe('ops on the kernel', () => {
  it('pipe: write, partial reads, EAGAIN, EOF', () => {
    const r = run(
      prog(['pipe', ['r', 'w']], ['write', ['w', 'hello']], ['read', ['r', 3]], ['read', ['r', 10]], ['read', ['r', 10]], ['close', ['w']], ['read', ['r', 1]]),
    );
    expect(results(r)).toEqual(['0', '5', '3 "hel"', '2 "lo"', 'EAGAIN', '0', '0 ""']);
    expect(r.steps[0].fds).toHaveLength(2);
  });

  it('a write to a broken pipe answers EPIPE (SIGPIPE ignored)', () => {
    expect(results(run(prog(['pipe', ['r', 'w']], ['close', ['r']], ['write', ['w', 'x']])))).toEqual(['0', '0', 'EPIPE']);
  });

  it('eventfd: initial value, exact 8-byte writes, EINVAL otherwise', () => {
    const r = run(
      prog(['eventfd', ['e', 3]], ['read', ['e', 8]], ['write', ['e', '\x01\0\0\0\0\0\0\0']], ['read', ['e', 8]], ['read', ['e', 8]], ['write', ['e', 'x']]),
    );
    expect(results(r)).toEqual([
      '0',
      '8 "\\u0003\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"',
      '8',
      '8 "\\u0001\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"',
      'EAGAIN',
      'EINVAL',
    ]);
  });

  it('unix pair: data flows, nothing on the wire', () => {
    const p = prog(['unix', ['a', 'b']], ['write', ['a', 'x']], ['read', ['b', 5]]);
    const r = run(p);
    expect(results(r)).toEqual(['0', '1', '1 "x"']);
    expect(r.steps.every((s) => s.wire.length === 0)).toBe(true);
  });

  it('pair takes the run family: tcp6 on ::1 has a wire, unix has none', () => {
    const p = prog(['pair', ['a', 'b']], ['write', ['a', 'x']]);
    const six = run(p, { family: 'tcp6' });
    expect(six.family).toBe('tcp6');
    expect(results(six)).toEqual(['0', '1']);
    expect(wire(p, six.steps[0])).toBe('a>b S, b>a S., a>b .');
    expect(wire(p, six.steps[1])).toBe('a>b P. len 1, b>a .');
    const unix = run(p, { family: 'unix' });
    expect(unix.family).toBe('unix');
    expect(results(unix)).toEqual(['0', '1']);
    expect(unix.steps[0].wire).toEqual([]);
    expect(run(p).family).toBe('tcp');
    expect(() => run(p, { family: 'sctp' as never })).toThrow(/unknown family 'sctp'/);
  });

  it('listen, connect (new socket), accept: the handshake is attributed to the listener', () => {
    const p = prog(['listen', ['L']], ['connect_new', ['A', 'L']], ['accept', ['L', 'B']], ['write', ['A', 'hi']], ['read', ['B', 10]]);
    const r = run(p);
    expect(results(r)).toEqual(['0', 'EINPROGRESS', '0', '2', '2 "hi"']);
    expect(r.steps[1].fds[0]).toBeGreaterThanOrEqual(0); // bound even though connect() said EINPROGRESS
    expect(wire(p, r.steps[1])).toBe('A>L S, L>A S., A>L .');
    expect(wire(p, r.steps[3])).toBe('A>B P. len 2, B>A .');
  });

  it('connect on a bare socket, and a refused connect (RST from the listener port)', () => {
    const p = prog(['listen', ['L']], ['socket', ['S']], ['connect', ['S', 'L']], ['accept', ['L', 'B']], ['shutdown', ['L', 0]], ['connect_new', ['A', 'L']]);
    const r = run(p);
    expect(results(r).slice(0, 4)).toEqual(['0', '0', 'EINPROGRESS', '0']);
    expect(wire(p, r.steps[2])).toBe('S>L S, L>S S., S>L .');
    expect(r.steps[3].fds).toHaveLength(1);
    // shutdown(RD) of a listener stops it listening: the next SYN is answered with RST.
    expect(res(r.steps[5])).toMatch(/^(EINPROGRESS|ECONNREFUSED)$/);
    expect(wire(p, r.steps[5])).toBe('A>L S, L>A R.');
  });

  it('wait: ready list by data slot; max 0 and a non-epoll fd go to the kernel (EINVAL)', () => {
    const p = prog(
      ['tcp', ['a', 'b']],
      ['epoll', ['e']],
      ['add', ['e', 'b', EPOLL_FLAGS.PRI, 'a']],
      ['send_oob', ['a', '!']],
      ['wait', ['e', 8, 0]],
      ['wait', ['e', 0, 0]],
      ['wait', ['e', -1, 0]],
      ['wait', ['a', 8, 0]],
    );
    const r = run(p);
    expect(results(r)).toEqual(['0', '0', '0', '1', '1', 'EINVAL', 'EINVAL', 'EINVAL']);
    expect(r.steps[4].ready).toEqual([{ slot: p.names.indexOf('a'), events: EPOLL_FLAGS.PRI }]);
    expect(r.steps[5].ready).toEqual([]);
  });

  it('fill and drain: until EAGAIN, and drain keeps the count only', () => {
    const r = run(prog(['pipe', ['r', 'w']], ['fill', ['w']], ['fill', ['w']], ['drain', ['r']], ['drain', ['r']]));
    expect(r.steps.map((s) => s.ret)).toEqual([0, 65536, 0, 65536, 0]);
    expect(r.steps[3].bytes).toBeUndefined();
    expect(r.steps[4].bytes).toBeUndefined();
    const t = run(prog(['tcp', ['a', 'b']], ['fill', ['a']], ['drain', ['b']]));
    expect(t.steps[1].ret).toBeGreaterThan(65536);
    expect(t.steps[2].ret).toBeGreaterThan(0);
    expect(t.steps[2].ret).toBeLessThanOrEqual(t.steps[1].ret);
    expect(t.steps[2].bytes).toBeUndefined();
    // fill on an eventfd: the kernel refuses the first write, and that is the result.
    expect(results(run(prog(['eventfd', ['e', 0]], ['fill', ['e']])))).toEqual(['0', 'EINVAL']);
  });

  it('a run keeps 2 MiB of read bytes; the rest are cut and counted in bytesDropped', () => {
    const rows: Row[] = [['tcp', ['a', 'b']]];
    const big = LIMITS.maxIoBytes;
    // 1 MiB at a time through the pair, each read back in as many reads as loopback needs.
    for (let i = 0; i < 4; i++) rows.push(['write_n', ['a', big]], ...new Array<Row>(6).fill(['read', ['b', big]]));
    const r = run(prog(...rows));
    expect(r.error).toBeUndefined();
    const reads = r.steps.filter((s, i) => i > 0 && i % 7 !== 1 && s.ret > 0);
    const total = reads.reduce((a, s) => a + s.ret, 0);
    expect(total).toBeGreaterThan(2 << 20);
    const kept = reads.map((s) => s.bytes!.length);
    // Every byte up to 2 MiB is kept, in order; what is past it is cut and counted.
    expect(kept.reduce((a, b) => a + b, 0)).toBe(2 << 20);
    expect(r.bytesDropped).toBe(total - (2 << 20));
    expect(kept[0]).toBe(reads[0].ret);
    expect(kept[kept.length - 1]).toBe(0);
    expect(reads.every((s) => s.bytes!.every((b) => b === 0x78))).toBe(true);
  });

  it('linger 0 makes close send RST; write_n writes N x', () => {
    const p = prog(['tcp', ['a', 'b']], ['write_n', ['a', 3]], ['read', ['b', 10]], ['linger', ['a', 0]], ['close', ['a']], ['read', ['b', 1]]);
    const r = run(p);
    expect(results(r)).toEqual(['0', '3', '3 "xxx"', '0', '0', 'ECONNRESET']);
    expect(wire(p, r.steps[4])).toBe('a>b R.');
  });

  it('dup2 onto an open number replaces it; onto a closed free number reuses it', () => {
    const p = prog(
      ['pipe', ['r', 'w']],
      ['pipe', ['r2', 'w2']],
      ['dup2', ['w', 'w2']],
      ['write', ['w2', 'z']],
      ['read', ['r', 1]],
      ['close', ['w2']],
      ['dup2', ['w', 'w2']],
      ['write', ['w2', 'y']],
      ['read', ['r', 1]],
      ['dup2', ['w', 'w']],
    );
    const r = run(p);
    expect(results(r)).toEqual(['0', '0', '0', '1', '1 "z"', '0', '0', '1', '1 "y"', '0']);
    expect(r.steps[2].fds).toEqual([r.steps[1].fds[1]]);
    expect(r.steps[6].fds).toEqual([r.steps[1].fds[1]]);
  });

  it('sleep sleeps and returns 0', () => {
    const t0 = Date.now();
    expect(results(run(prog(['sleep', [20]])))).toEqual(['0']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(19);
  });
});

describe('the EBADF rule', () => {
  it('a closed name answers EBADF without a syscall, as in the founding del-after-close', () => {
    const r = run(prog(['pipe', ['r', 'w']], ['close', ['r']], ['read', ['r', 1]], ['close', ['r']], ['dup', ['r', 'd']], ['dup2', ['r', 'w']]));
    expect(results(r)).toEqual(['0', '0', 'EBADF', 'EBADF', 'EBADF', 'EBADF']);
    expect(r.steps[4].fds).toEqual([-1]);
    expect(r.steps[5].fds).toEqual([-1]);
  });

  it('a number the host took since is never touched: use gets EBADF, dup2 onto it gets EBUSY', () => {
    const s = openSession();
    try {
      const b = new ProgramBuilder();
      b.op('pipe', ['r', 'w']).op('close', ['r']);
      const first = s.run(b.build()).toResult();
      const n = first.steps[0].fds[0];
      // The host opens descriptors until it holds the number the scenario closed.
      const mine: number[] = [];
      let fd = -1;
      while (fd < n) mine.push((fd = openSync('/dev/null', 'r')));
      try {
        expect(fd).toBe(n);
        const c = new ProgramBuilder();
        c.slot('r');
        c.slot('w');
        c.op('write', ['r', 'x']).op('read', ['r', 1]).op('close', ['r']).op('dup2', ['w', 'r']).op('write', ['w', 'ok']);
        // The last write reaches the kernel (w is the scenario's): its pipe has no reader.
        expect(results(s.run(c.build()).toResult())).toEqual(['EBADF', 'EBADF', 'EBADF', 'EBUSY', 'EPIPE']);
        expect(readlinkSync(`/proc/self/fd/${n}`)).toBe('/dev/null');
        expect(fstatSync(n).isCharacterDevice()).toBe(true);
      } finally {
        for (const m of mine) closeSync(m);
      }
    } finally {
      s.close();
    }
  });
});

describe('the open-descriptor cap', () => {
  it(`creating ops beyond ${LIMITS.maxOpenFds} open descriptors get EMFILE; all are closed after`, () => {
    const rows: Row[] = [];
    for (let i = 0; i < LIMITS.maxOpenFds + 10; i++) rows.push(['eventfd', ['e', 0]]);
    rows.push(['pipe', ['r', 'w']], ['dup', ['e', 'd']], ['close', ['e']], ['eventfd', ['e', 1]]);
    rows.splice(LIMITS.maxOpenFds - 1, 0, ['dup', ['e', 'd']]); // the 512th descriptor comes from dup
    const before = openFds();
    const r = run(prog(...rows));
    const out = results(r);
    expect(out.slice(0, LIMITS.maxOpenFds).every((x) => x === '0')).toBe(true);
    // The failed eventfd bound e to -1, so dup and close of e are EBADF; the cap still holds.
    expect(out.slice(LIMITS.maxOpenFds)).toEqual([...new Array<string>(11).fill('EMFILE'), 'EMFILE', 'EBADF', 'EBADF', 'EMFILE']);
    expect(r.steps[LIMITS.maxOpenFds].fds).toEqual([-1]);
    expect(openFds()).toBe(before);
  });
});

describe('validation: a malformed Program is an error value, with the steps before it', () => {
  const raw = (words: number[], strings = new Uint8Array(0), slotCount = 4): ProgramCode => ({ code: Int32Array.from(words), strings, slotCount });
  const op = (code: number, ...operands: number[]): number[] => [code, ...operands, ...new Array<number>(OP_WORDS - 1 - operands.length).fill(0)];

  it.each([
    ['an unknown opcode', raw(op(99)), /op 0: unknown opcode 99/],
    ['opcode 0', raw(op(0)), /op 0: unknown opcode 0/],
    ['a slot out of range', raw(op(Op.pipe, 0, 4)), /op 0 \(pipe\): operand 2 \(bind\): slot 4 outside 0\.\.3/],
    ['a negative slot', raw(op(Op.close, -1)), /slot -1 outside/],
    ['a use of a never-bound slot', raw(op(Op.close, 2)), /op 0 \(close\): operand 1 \(use\): slot 2 was never bound/],
    ['a dup2 onto a never-bound slot', raw([...op(Op.pipe, 0, 1), ...op(Op.dup2, 0, 2)]), /op 1 \(dup2\): operand 2 \(rebind\): slot 2 was never bound/],
    [
      'a string past the table',
      raw([...op(Op.pipe, 0, 1), ...op(Op.write, 1, 2, 5)], new Uint8Array(6)),
      /op 1 \(write\): operand 2 \(str\): bytes 2\+5 outside the string table \(6 bytes\)/,
    ],
    ['a negative string length', raw([...op(Op.pipe, 0, 1), ...op(Op.send_oob, 1, 0, -1)]), /bytes 0\+-1 outside/],
    ['a read above maxIoBytes', raw([...op(Op.pipe, 0, 1), ...op(Op.read, 0, LIMITS.maxIoBytes + 1)]), /operand 2 \(count\): 1048577 outside 0\.\.1048576/],
    ['a negative count', raw([...op(Op.pipe, 0, 1), ...op(Op.write_n, 1, -1)]), /operand 2 \(count\): -1 outside/],
    ['a sleep above maxSleepMs', raw(op(Op.sleep, 2001)), /op 0 \(sleep\): operand 1 \(ms\): 2001 outside 0\.\.2000/],
    ['a negative timeout', raw([...op(Op.epoll, 0), ...op(Op.wait, 0, 8, -1)]), /op 1 \(wait\): operand 3 \(ms\): -1 outside/],
    ['a max above maxWaitEvents', raw([...op(Op.epoll, 0), ...op(Op.wait, 0, 1025, 0)]), /operand 2 \(max\): 1025 above 1024/],
    ['a linger above maxLingerSeconds', raw([...op(Op.socket, 0), ...op(Op.linger, 0, 3)]), /operand 2 \(seconds\): 3 outside 0\.\.2/],
  ])('%s', (_what, code, message) => {
    const r = run(code);
    expect(r.error).toMatch(/^malformed program: /);
    expect(r.error).toMatch(message);
    // The ops before the bad one ran (and their descriptors were closed after).
    const bad = Number(/op (\d+)/.exec(r.error!)![1]);
    expect(r.steps).toHaveLength(bad);
  });

  it('stops at the op that breaks the time budget, before running anything past it', () => {
    const rows: Row[] = [['tcp', ['a', 'b']]];
    for (let i = 0; i < 6; i++) rows.push(['linger', ['a', 2]]);
    const r = run(prog(...rows));
    expect(r.error).toMatch(/op 6 \(linger\): sleeps, wait timeouts and lingers add up to 12000 ms here \(at most 10000\)/);
    expect(results({ ...r, error: undefined })).toEqual(['0', '0', '0', '0', '0', '0']);
  });

  it.each([
    ['a code length that is not a multiple of OP_WORDS', raw([Op.sleep, 0, 0, 0, 0, 0, 0]), /code has 7 words, not a multiple of 6/],
    ['too many ops', raw(new Array<number>((LIMITS.maxOps + 1) * OP_WORDS).fill(0)), /4097 ops \(at most 4096\)/],
    ['too many slots', raw(op(Op.sleep, 0), undefined, LIMITS.maxSlots + 1), /slotCount 257 is not an integer in 0\.\.256/],
    ['a negative slotCount', raw(op(Op.sleep, 0), undefined, -1), /slotCount -1 is not an integer/],
    ['a string table over maxStringBytes', raw(op(Op.sleep, 0), new Uint8Array(LIMITS.maxStringBytes + 1)), /string table of 1048577 bytes/],
  ])('refuses %s before running anything', (_what, code, message) => {
    const r = run(code);
    expect(r.error).toMatch(message);
    expect(r.steps).toEqual([]);
  });

  it('an empty Program runs nothing and is not an error', () => {
    const r = run(raw([], undefined, 0));
    expect(r.error).toBeUndefined();
    expect(r.steps).toEqual([]);
    expect(r.kernel).toMatch(/^\d+\.\d+/);
  });

  it('a caller passing the wrong types gets a TypeError, not a result', () => {
    expect(() => run({ code: [1, 0, 0, 0, 0, 0] as unknown as Int32Array, strings: new Uint8Array(0), slotCount: 1 })).toThrow(/code must be an Int32Array/);
    expect(() => run({ code: new Int32Array(6), strings: 'x' as unknown as Uint8Array, slotCount: 1 })).toThrow(/strings must be a Uint8Array/);
    expect(() => run({ code: new Int32Array(6), strings: new Uint8Array(0), slotCount: '1' as unknown as number })).toThrow(/slotCount must be a whole number/);
    // A batch's meta table holds whole numbers: a fractional or NaN count is the caller's error.
    expect(() => run({ code: new Int32Array(6), strings: new Uint8Array(0), slotCount: 1.5 })).toThrow(/slotCount must be a whole number/);
    expect(() => run({ code: new Int32Array(6), strings: new Uint8Array(0), slotCount: NaN })).toThrow(/slotCount must be a whole number/);
  });
});

describe('runBatch', () => {
  it('runs Programs back to back, each with its own family, as run gives them one by one', () => {
    const p = prog(['pair', ['a', 'b']], ['write', ['a', 'hey']], ['read', ['b', 10]]);
    const families = ['tcp', 'unix', 'tcp6'] as const;
    const raw = runBatch(packBatch(families.map((family) => ({ program: p, family }))));
    const views = readBatch(raw, 3);
    const strip = (r: RunResult) => ({
      ...r,
      steps: r.steps.map((s) => ({ ...s, fds: s.fds.length, wire: s.wire.length > 0, bytes: s.bytes && Buffer.from(s.bytes).toString() })),
    });
    views.forEach((v, k) => {
      expect(v.family).toBe(families[k]);
      expect(strip(v.toResult())).toEqual(strip(run(p, { family: families[k] })));
    });
    expect(strip(views[0].toResult()).steps[2].bytes).toBe('hey');
  });

  it('writes into the memory given when the results fit, and into fresh memory when they do not', () => {
    const p = prog(['pipe', ['r', 'w']], ['write', ['w', 'keep']], ['read', ['r', 10]]);
    const batch = packBatch([
      { program: p, family: 'tcp' },
      { program: p, family: 'tcp' },
    ]);
    const big = new Uint8Array(1 << 16);
    const inPlace = runBatch(batch, { out: big });
    expect(inPlace.buffer).toBe(big.buffer);
    const small = new Uint8Array(64);
    const fresh = runBatch(batch, { out: small });
    expect(fresh.buffer).not.toBe(small.buffer);
    expect(Array.from(fresh)).toEqual(Array.from(inPlace));
    expect(readBatch(fresh, 2).map((v) => Buffer.from(v.bytesOf(2)!).toString())).toEqual(['keep', 'keep']);
  });

  it('reports in the progress cells which Program runs, and stops when asked', () => {
    const p = prog(['pipe', ['r', 'w']]);
    const progress = new Int32Array(new SharedArrayBuffer(8));
    const batch = packBatch([p, p, p].map((program) => ({ program, family: 'tcp' as const })));
    expect(readBatch(runBatch(batch, { progress }), 3)).toHaveLength(3);
    expect(progress[0]).toBe(-2);
    progress[1] = 1;
    expect(runBatch(batch, { progress }).byteLength).toBe(0);
  });

  it('refuses a meta table that points outside the batch (TypeError), and a malformed Program is its own error', () => {
    const p = prog(['pipe', ['r', 'w']]);
    const ok = packBatch([{ program: p, family: 'tcp' }]);
    expect(() => runBatch({ ...ok, meta: Int32Array.of(0, 99, 0, 0, 2, 0) })).toThrow(/Program 0 of the batch lies outside its code/);
    expect(() => runBatch({ ...ok, meta: Int32Array.of(0, 1) })).toThrow(/6 words per Program/);
    expect(BATCH_META_WORDS).toBe(6);
    const [v] = readBatch(runBatch({ ...ok, meta: Int32Array.of(0, 6, 0, 0, 2, 9) }), 1);
    expect(v.error).toMatch(/unknown family code 9/);
  });
});

describe('sessions', () => {
  it('continue the descriptors and names of earlier runs until close', () => {
    const before = openFds();
    const s = openSession();
    const b1 = new ProgramBuilder();
    b1.op('tcp', ['a', 'b']);
    const r1 = s.run(b1.build()).toResult();
    expect(results(r1)).toEqual(['0']);
    expect(openFds()).toBe(before + 2);
    const b2 = new ProgramBuilder();
    b2.slot('a');
    b2.slot('b');
    const p2 = b2.op('write', ['a', 'x']).op('read', ['b', 1]).op('close', ['a']).build();
    const r2 = s.run(p2).toResult();
    expect(results(r2)).toEqual(['1', '1 "x"', '0']);
    expect(wire(p2, r2.steps[0])).toBe('a>b P. len 1, b>a .');
    expect(wire(p2, r2.steps[2])).toBe('a>b F.');
    expect(openFds()).toBe(before + 1);
    s.close();
    expect(openFds()).toBe(before);
    expect(() => s.run(p2)).toThrow(/session is closed/);
    s.close(); // twice is fine
  });

  it('take the family at open', () => {
    const s = openSession({ family: 'unix' });
    try {
      const r = s.run(prog(['pair', ['a', 'b']])).toResult();
      expect(r.family).toBe('unix');
      expect(results(r)).toEqual(['0']);
    } finally {
      s.close();
    }
  });
});

describe('isolate', () => {
  it('refuses the main thread', () => {
    expect(() => isolate()).toThrow(/must be called on a worker thread/);
  });
});
