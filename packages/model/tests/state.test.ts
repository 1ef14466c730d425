import { PipeObj } from '../src/state';
import { Draft, emptyState, itemKey, keyFd, keyFile } from '../src/state';

const pipe = (): PipeObj => ({ kind: 'pipe', bufs: [], data: [], readers: 1, writers: 1, pollUsage: false });

describe('state and drafts', () => {
  test('an item key holds the file and the descriptor number', () => {
    const k = itemKey(7, 12);
    expect([keyFile(k), keyFd(k)]).toEqual([7, 12]);
  });

  test('a draft copies what it writes: the state before the step is left as it was', () => {
    const d0 = new Draft(emptyState(2));
    const id = d0.addObj(pipe());
    const untouched = d0.addObj(pipe());
    const f = d0.addFile('pipe-r', id);
    const before = d0.finish();
    const d1 = new Draft(before);
    d1.pipeW(id).readers = 0;
    d1.fileW(f).refs = 5;
    d1.setSlot(0, 3);
    const after = d1.finish();
    expect((before.objs[id] as PipeObj).readers).toBe(1);
    expect(before.files[f]?.refs).toBe(0);
    expect(before.slotFd[0]).toBe(-1);
    expect((after.objs[id] as PipeObj).readers).toBe(0);
    expect(after.files[f]?.refs).toBe(5);
    expect(after.slotFd[0]).toBe(3);
    // The table is the step's own; objects it did not write are shared, not copied.
    expect(after.objs).not.toBe(before.objs);
    expect(after.objs[untouched]).toBe(before.objs[untouched]);
  });

  test('an object is copied once per step, then written in place', () => {
    const d0 = new Draft(emptyState(0));
    const id = d0.addObj(pipe());
    const d1 = new Draft(d0.finish());
    const first = d1.pipeW(id);
    expect(d1.pipeW(id)).toBe(first);
  });

  test('in place, nothing is copied (a lean run)', () => {
    const s = emptyState(1);
    const d = new Draft(s, true);
    const id = d.addObj(pipe());
    const o = d.pipe(id);
    expect(d.pipeW(id)).toBe(o);
    expect(d.finish().objs).toBe(s.objs);
  });

  test('a typed accessor refuses an object of another kind', () => {
    const d = new Draft(emptyState(0));
    const id = d.addObj(pipe());
    expect(() => d.sock(id)).toThrow(/is pipe, not sock/);
    expect(d.sockOrNull(id)).toBeNull();
  });
});
