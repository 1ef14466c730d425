import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile, compileFile } from '@epl/compiler';
import { FAMILIES, Op, OP_WORDS, ProgramBuilder } from '@epl/program';
import { predict } from '../src';

describe('predict', () => {
  test('one step per op, with result, wire, reasons and the state after it', () => {
    const [p] = compile('tcp 5 6\nepoll 3\nadd 3 5 IN\nwrite 6 "a"\nwait', 'x.epl');
    const pred = predict(p, 'tcp');
    expect(pred.family).toBe('tcp');
    expect(pred.steps.map((s) => s.op)).toEqual(['tcp', 'epoll', 'add', 'write', 'wait']);
    expect(pred.states).toHaveLength(5);
    expect(pred.steps[4].ready).toEqual([{ data: 0, events: 1 }]);
    expect(pred.steps[0].wire).toHaveLength(3);
    expect(pred.steps[4].state.fds.length).toBe(3);
  });

  test('everything is plain JSON', () => {
    const [p] = compile('tcp 5 6\nepoll 3\nadd 3 5 IN|OUT\neventfd e 7\nwrite 5 "a"\nwait\nfill 5\nclose 5', 'x.epl');
    const json = JSON.parse(JSON.stringify(predict(p))) as { steps: { why: { rule: string }[]; result: { range?: unknown }; state: { orphans: unknown } }[] };
    expect(json.steps[5].why[0].rule).toBe('epoll.reported');
    expect(json.steps[6].result.range).toEqual({ lo: 1 << 20, hi: 32 << 20 });
    expect(json.steps[7].state.orphans).toEqual([{ name: '5', state: 'FIN_WAIT1' }]);
  });

  test('in JSON, names stand for slots, flags and errnos are words, read bytes are text', () => {
    const [p] = compile('tcp 5 6\nepoll 3\nadd 3 6 IN\nwrite 5 "hi"\nwait\nread 6 8\nclose 3\nclose 3', 'x.epl');
    const json = JSON.parse(JSON.stringify(predict(p))) as {
      steps: { result: Record<string, unknown>; ready?: unknown; wire: Record<string, unknown>[] }[];
    };
    expect(json.steps[3].wire[0]).toEqual({ src: '5', dst: '6', flags: 'P.', len: 2, rule: 'tcp.send', timing: 'now' });
    expect(json.steps[4].ready).toEqual([{ data: '6', events: 'IN' }]);
    expect(json.steps[5].result).toEqual({ ret: 2, bytes: 'hi' });
    expect(json.steps[7].result).toEqual({ ret: -1, errno: 'EBADF' });
  });

  test('pair takes the family', () => {
    const [p] = compile('pair a b\nclose a\nwrite b "x"', 'x.epl');
    expect(predict(p, 'tcp').steps[2].result.errno).toBe(0);
    expect(predict(p, 'unix').steps[2].result.errno).toBe(32);
    expect(predict(p, 'tcp6').steps[0].wire).toHaveLength(3);
    expect(predict(p, 'unix').steps[0].wire).toHaveLength(0);
  });

  test('a lean run gives the same answers as an explaining one (every scenario of the repository; the fuzzer tests generated ones)', () => {
    const eplFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? eplFiles(join(dir, e.name)) : e.name.endsWith('.epl') ? [join(dir, e.name)] : [],
      );
    let steps = 0;
    for (const f of eplFiles(join(__dirname, '..', '..', '..', 'scenarios'))) {
      for (const p of compileFile(f)) {
        for (const family of FAMILIES) {
          const full = predict(p, family);
          const lean = predict(p, family, { explain: false });
          expect(lean.steps.map((s) => [s.result, s.ready, s.wire, s.mayLand])).toEqual(full.steps.map((s) => [s.result, s.ready, s.wire, s.mayLand]));
          steps += lean.steps.length;
        }
      }
    }
    expect(steps).toBeGreaterThan(300);
  });

  test('a lean run keeps no state', () => {
    const [p] = compile('pipe r w', 'x.epl');
    expect(() => predict(p, 'tcp', { explain: false }).steps[0].state).toThrow(/keeps no states/);
  });

  test('an unknown family is a TypeError; an unknown opcode ends the prediction, as the executor refuses the rest', () => {
    const [p] = compile('pipe r w', 'x.epl');
    // @ts-expect-error: a family the language has not
    expect(() => predict(p, 'sctp')).toThrow(TypeError);
    const b = new ProgramBuilder().op('pipe', ['r', 'w']).op('close', ['r']).build();
    const code = b.code.slice();
    code[OP_WORDS] = 99;
    expect(predict({ ...b, code }).steps).toHaveLength(1);
    expect(Op.close).toBe(19);
  });
});
