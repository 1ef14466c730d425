// The lane through the real executor: one native thread, isolated, no worker thread.
import { ProgramBuilder } from '@epl/program';
import type { ProgramCode } from '@epl/program';
import { Lane } from '../src';
import { counter, jobs, numbered, runAll } from './helpers';

describe('Lane', () => {
  it('yields every Program once, with its index and the family asked', async () => {
    const lane = new Lane();
    try {
      const programs = Array.from({ length: 40 }, (_, i) => numbered(i + 1));
      const seen = new Map<number, number>();
      for await (const { id, view } of lane.run(jobs(programs, 'unix'))) {
        expect(view!.error).toBeUndefined();
        expect(view!.family).toBe('unix');
        expect(seen.has(id)).toBe(false);
        seen.set(id, counter(view!));
      }
      expect(seen.size).toBe(40);
      for (const [id, n] of seen) expect(n).toBe(id + 1);
    } finally {
      await lane.close();
    }
  });

  it('runs on its own fd table and, as root, its own namespace; tells what it obtained', async () => {
    const lane = new Lane();
    try {
      const p = new ProgramBuilder().op('pipe', ['r', 'w']).op('write', ['w', 'hi']).op('read', ['r', 5]).build();
      const [{ view }] = await runAll(lane, jobs([p]));
      expect(Buffer.from(view!.bytesOf(2)!).toString()).toBe('hi');
      const root = process.getuid?.() === 0;
      expect(view!.netns).toBe(root);
      const iso = await lane.isolation();
      expect([iso.files, iso.netns, iso.wire.captured]).toEqual([true, root, root]);
    } finally {
      await lane.close();
    }
  });

  it("reports a malformed Program as that Program's error and runs the others", async () => {
    const lane = new Lane();
    try {
      const bad: ProgramCode = { code: Int32Array.of(9999, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };
      const out = await runAll(lane, jobs([numbered(7), bad, numbered(9)]));
      expect(out.map((o) => o.view!.error === undefined)).toEqual([true, false, true]);
      expect(out[1].view!.error).toMatch(/opcode/);
      expect([counter(out[0].view!), counter(out[2].view!)]).toEqual([7, 9]);
    } finally {
      await lane.close();
    }
  });

  it('refuses to run once closed', async () => {
    const lane = new Lane();
    await lane.close();
    expect(() => lane.run(jobs([numbered(1)]))).toThrow('lane is closed');
  });
});
