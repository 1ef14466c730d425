import { ProgramBuilder, SHUT } from '@epl/program';
import { check, resultMatches, wireMatches } from '../src/check';
import { shutRd } from './fixtures';
import { A, F, IN, OUT, P, RDHUP, bytes, result, step } from './helpers';

describe('resultMatches', () => {
  const WAIT = 18;
  const READ = 23;
  it('ok is a return of 0 without errno', () => {
    expect(resultMatches(READ, { kind: 'ok' }, step())).toBe(true);
    expect(resultMatches(READ, { kind: 'ok' }, step({ ret: 1 }))).toBe(false);
    expect(resultMatches(READ, { kind: 'ok' }, step({ ret: -1, errno: 9 }))).toBe(false);
  });
  it('errno compares by number', () => {
    expect(resultMatches(READ, { kind: 'errno', name: 'EWOULDBLOCK', code: 11 }, step({ ret: -1, errno: 11 }))).toBe(true);
    expect(resultMatches(READ, { kind: 'errno', name: 'EPIPE', code: 32 }, step({ ret: -1, errno: 104 }))).toBe(false);
  });
  it('bytes are exact', () => {
    expect(resultMatches(READ, { kind: 'bytes', value: bytes('ab') }, step({ ret: 2, bytes: bytes('ab') }))).toBe(true);
    expect(resultMatches(READ, { kind: 'bytes', value: bytes('ab') }, step({ ret: 2, bytes: bytes('aB') }))).toBe(false);
    expect(resultMatches(READ, { kind: 'bytes', value: bytes('') }, step({ ret: 1, bytes: bytes('a') }))).toBe(false);
  });
  it('ready lists compare as sets', () => {
    const want = {
      kind: 'ready' as const,
      entries: [
        { slot: 0, events: OUT },
        { slot: 1, events: IN | OUT },
      ],
    };
    expect(
      resultMatches(
        WAIT,
        want,
        step({
          ready: [
            { slot: 1, events: IN | OUT },
            { slot: 0, events: OUT },
          ],
        }),
      ),
    ).toBe(true);
    expect(resultMatches(WAIT, want, step({ ready: [{ slot: 1, events: IN | OUT }] }))).toBe(false);
    expect(
      resultMatches(
        WAIT,
        want,
        step({
          ready: [
            { slot: 1, events: IN },
            { slot: 0, events: OUT },
          ],
        }),
      ),
    ).toBe(false);
  });
  it('a ready list is a multiset: a repeated entry must be there as often', () => {
    const twice = {
      kind: 'ready' as const,
      entries: [
        { slot: 0, events: OUT },
        { slot: 0, events: OUT },
      ],
    };
    expect(
      resultMatches(
        WAIT,
        twice,
        step({
          ready: [
            { slot: 0, events: OUT },
            { slot: 0, events: OUT },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      resultMatches(
        WAIT,
        twice,
        step({
          ready: [
            { slot: 0, events: OUT },
            { slot: 1, events: OUT },
          ],
        }),
      ),
    ).toBe(false);
  });
  it('long ready lists compare as sets too', () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ slot: i, events: i % 2 ? IN : OUT }));
    const want = { kind: 'ready' as const, entries };
    expect(resultMatches(WAIT, want, step({ ready: [...entries].reverse() }))).toBe(true);
    expect(resultMatches(WAIT, want, step({ ready: [...entries.slice(1), { slot: 0, events: IN }] }))).toBe(false);
  });
  it('none is an empty ready list, and only on a wait', () => {
    expect(resultMatches(WAIT, { kind: 'none' }, step({ ready: [] }))).toBe(true);
    expect(resultMatches(WAIT, { kind: 'none' }, step({ ret: 1, ready: [{ slot: 0, events: OUT }] }))).toBe(false);
    expect(resultMatches(READ, { kind: 'none' }, step())).toBe(false);
  });
});

describe('wireMatches', () => {
  it('compares segments in order, every field', () => {
    const want = {
      kind: 'segments' as const,
      segments: [
        { src: 1, dst: 0, flags: P | A, len: 1 },
        { src: 0, dst: 1, flags: A, len: 0 },
      ],
    };
    expect(wireMatches(want, step({ wire: [...want.segments] }))).toBe(true);
    expect(wireMatches(want, step({ wire: [...want.segments].reverse() }))).toBe(false);
    expect(wireMatches(want, step({ wire: [want.segments[0], { src: 0, dst: 1, flags: A, len: 2 }] }))).toBe(false);
    expect(wireMatches({ kind: 'none' }, step())).toBe(true);
    expect(wireMatches({ kind: 'none' }, step({ wire: [{ src: 0, dst: 1, flags: F | A, len: 0 }] }))).toBe(false);
  });
});

describe('check', () => {
  it('passes the founding SHUT_RD run', () => {
    const { program, result } = shutRd();
    const c = check(program, result);
    expect(c.failures).toEqual([]);
    expect(c.pass).toBe(true);
    expect(c.checked).toBe(2);
    expect(c.steps.map((s) => s.result)).toEqual(['none', 'none', 'none', 'none', 'pass', 'none', 'none', 'pass', 'none', 'none', 'none', 'none']);
  });

  it('reports a failure at the step with expected and got in EPL syntax', () => {
    const { program, result } = shutRd();
    const steps = [...result.steps];
    steps[4] = step({
      ret: 2,
      ready: [
        { slot: 0, events: IN | OUT | RDHUP },
        { slot: 1, events: OUT },
      ],
    });
    const c = check(program, { ...result, steps });
    expect(c.pass).toBe(false);
    expect(c.failures).toEqual([
      { index: 4, file: 'founding.epl', line: 6, col: 1, kind: 'result', expected: '5: OUT, 6: OUT', got: '5: IN|OUT|RDHUP, 6: OUT' },
    ]);
  });

  const wired = () =>
    new ProgramBuilder('w.epl')
      .op('tcp', ['5', '6'])
      .op('shutdown', ['5', SHUT.WR], {
        expect: { kind: 'number', value: 0 },
        wire: { kind: 'segments', segments: [{ src: 0, dst: 1, flags: F | A, len: 0 }] },
      })
      .build();

  it('checks ~> when the wire was captured', () => {
    const p = wired();
    const fin = [{ src: 0, dst: 1, flags: F | A, len: 0 }];
    expect(check(p, result([step(), step({ wire: fin })])).pass).toBe(true);
    const c = check(p, result([step(), step({ wire: [] })]));
    expect(c.failures.map((f) => [f.kind, f.expected, f.got])).toEqual([['wire', '5 > 6 F.', 'none']]);
  });

  it('counts ~> as not checked, never passed, when the wire was not captured', () => {
    const c = check(wired(), result([step(), step({ wire: [] })], { captured: false }));
    expect(c.pass).toBe(true);
    expect(c.wireUnchecked).toBe(1);
    expect(c.passed).toBe(1);
    expect(c.checked).toBe(1);
    expect(c.steps[1]).toEqual({ index: 1, result: 'pass', wire: 'unchecked' });
  });

  it('a run with an error does not pass; steps that never ran are counted, not failed', () => {
    const c = check(wired(), result([step()], { error: 'worker died' }));
    expect(c.pass).toBe(false);
    expect(c.error).toBe('worker died');
    expect(c.failures).toEqual([]);
    expect(c.notRun).toBe(2);
  });
});
