// The lane through the real executor: one native thread, isolated, no worker thread.
import { ProgramBuilder } from '@epl/program';
import type { ProgramCode } from '@epl/program';
import { check } from '../src/check';
import { Lane } from '../src/lane';

/** A Program whose result tells which one it was: an eventfd holding `n`, read back. */
function numbered(n: number): ProgramCode {
  return new ProgramBuilder().op('eventfd', ['e', n]).op('read', ['e', 8]).op('close', ['e']).build();
}
const counter = (r: { steps: readonly { bytes?: Uint8Array }[] }) => Buffer.from(r.steps[1].bytes ?? []).readUInt32LE(0);

describe('Lane', () => {
  it('yields every Program once, with its index and the family asked', async () => {
    const lane = new Lane();
    try {
      const programs = Array.from({ length: 40 }, (_, i) => numbered(i + 1));
      const seen = new Map<number, number>();
      for await (const { id, result } of lane.run(programs, { family: 'unix' })) {
        expect(result.error).toBeUndefined();
        expect(result.family).toBe('unix');
        expect(seen.has(id)).toBe(false);
        seen.set(id, counter(result));
      }
      expect(seen.size).toBe(40);
      for (const [id, n] of seen) expect(n).toBe(id + 1);
    } finally {
      await lane.close();
    }
  });

  it('runs a scenario whose expectations the kernel meets, on its own fd table', async () => {
    const lane = new Lane();
    try {
      const p = new ProgramBuilder()
        .op('pipe', ['r', 'w'], { expect: { kind: 'ok' } })
        .op('write', ['w', 'hi'], { expect: { kind: 'number', value: 2 } })
        .op('read', ['r', 5], { expect: { kind: 'bytes', value: Buffer.from('hi') } })
        .build();
      const [{ result }] = await collect(lane.run([p]));
      expect(check(p, result).pass).toBe(true);
      expect(result.netns).toBe(process.getuid?.() === 0);
    } finally {
      await lane.close();
    }
  });

  it("reports a malformed Program as that Program's error and runs the others", async () => {
    const lane = new Lane();
    try {
      const bad: ProgramCode = { code: Int32Array.of(9999, 0, 0, 0, 0, 0), strings: new Uint8Array(0), slotCount: 0 };
      const out = await collect(lane.run([numbered(7), bad, numbered(9)]));
      expect(out.map((o) => o.result.error === undefined)).toEqual([true, false, true]);
      expect(out[1].result.error).toMatch(/opcode/);
      expect([counter(out[0].result), counter(out[2].result)]).toEqual([7, 9]);
    } finally {
      await lane.close();
    }
  });

  it('refuses to run once closed', async () => {
    const lane = new Lane();
    await lane.close();
    expect(() => lane.run([numbered(1)])).toThrow('lane is closed');
  });
});

async function collect<T extends { id: number }>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out.sort((a, b) => a.id - b.id);
}
