import { LIMITS, ProgramBuilder } from '@epl/program';
import { predict } from '../src';
import { kernelDisagreements, model } from './helpers';

describe('descriptor table', () => {
  test('a closed name is EBADF without a syscall while nobody holds its number', () => {
    const m = model('pipe r w\nclose w\nwrite w "a"');
    expect(m.result(2)).toBe('EBADF');
    expect(m.rules(2)).toContain('fd.not-owned');
  });

  test('numbers are handed out lowest first: a stale name reaches whatever took its number', () => {
    const m = model('pipe r w\nclose w\neventfd e\nwrite w "\\x01\\0\\0\\0\\0\\0\\0\\0"\nread e 8');
    // e took w's number: the write through the stale name w lands in the eventfd.
    expect(m.result(3)).toBe('8');
    expect(m.rules(3)).toContain('fd.reused');
    expect(m.result(4)).toBe(JSON.stringify('\x01\0\0\0\0\0\0\0'));
  });

  test("tcp's hidden listener leaves its number free for the next descriptor, below the pair's", () => {
    const m = model('tcp 5 6\npipe r w');
    const fds = Object.fromEntries(m.step(1).state.fds.map((f) => [f.name, f.fd]));
    expect(fds.r).toBeLessThan(fds['5']);
    expect(fds.w).toBeGreaterThan(fds['6']);
  });

  test('dup2 onto an open name replaces its file, whose last reference goes', () => {
    const m = model('pipe r w\npipe r2 w2\nepoll e\nadd e r2 IN\ndup2 w -> w2\nwait e');
    expect(m.result(4)).toBe('0');
    expect(m.rules(4)).toEqual(expect.arrayContaining(['fd.dup2-replace', 'fd.close-last']));
    // The second pipe lost its only writer: its read end hangs up.
    expect(m.ready(5)).toBe('r2: HUP');
  });

  test('dup2 onto a closed name takes its old number back', () => {
    const m = model('pipe r w\ndup w -> x\nclose x\ndup2 w -> x\nclose w\nwrite x "a"\nread r');
    expect(m.result(3)).toBe('0');
    expect(m.rules(3)).toContain('fd.dup2-reuse');
    expect(m.result(5)).toBe('1');
    expect(m.result(6)).toBe('"a"');
  });

  test('dup2 of a name onto itself only checks it', () => {
    expect(model('pipe r w\ndup2 w -> w').rules(1)).toContain('fd.dup2-same');
  });

  test('the open count: close of one of two references releases nothing', () => {
    const m = model('pipe r w\ndup w -> w2\nclose w\nepoll e\nadd e r IN\nwrite w2 "a"\nwait e\nclose w2\nwait e');
    expect(m.rules(2)).toEqual(['fd.close']);
    expect(m.ready(6)).toBe('r: IN');
    expect(m.ready(8)).toBe('r: IN|HUP');
  });

  test('creating ops beyond LIMITS.maxOpenFds get EMFILE', () => {
    const b = new ProgramBuilder().op('pipe', ['r', 'w']);
    for (let i = 0; i < LIMITS.maxOpenFds - 1; i++) b.op('dup', ['r', 'x']);
    const p = b.build();
    const steps = predict(p, 'tcp').steps;
    expect(steps[LIMITS.maxOpenFds - 2].result.errno).toBe(0);
    expect(steps[LIMITS.maxOpenFds - 1].result.errno).toBe(24); // EMFILE
  });
});

test('every scenario above gives the same answers on the kernel', async () => {
  expect(await kernelDisagreements()).toEqual([]);
});
