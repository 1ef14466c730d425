// Planted runs for tests that must not depend on the kernel: results made from the Program
// by a rule, so oracles, shrinking and campaigns can be checked against known answers.
import { OP_WORDS, Op } from '@epl/program';
import type { Family, ProgramCode, RunResult, StepResult } from '@epl/program';
import { viewOf } from '@epl/executor/testing';
import { isBulk, predict } from '@epl/model';
import type { PredictedSegment } from '@epl/model';
import type { Run, Runner } from '../src/runs';
import type { Seq } from '../src/seq';

export type Rule = (i: number, p: ProgramCode, family: Family, run: number) => Partial<StepResult> | undefined;

export function ok(): StepResult {
  return { ret: 0, errno: 0, fds: [], wire: [] };
}

/** A run where every step returns 0 unless `rule` says otherwise. */
export function plantedRun(p: ProgramCode, family: Family, rule: Rule = () => undefined, run = 0): RunResult {
  const steps: StepResult[] = [];
  for (let i = 0; i < p.code.length / OP_WORDS; i++) {
    const base: StepResult = p.code[i * OP_WORDS] === Op.wait ? { ...ok(), ready: [] } : ok();
    steps.push({ ...base, ...rule(i, p, family, run) });
  }
  return { steps, kernel: 'planted', family, netns: true, wire: { captured: true } };
}

/** A Runner over a rule; counts how many Programs it ran. */
export class PlantedRunner implements Runner {
  ran = 0;
  private readonly calls = new Map<string, number>();
  constructor(private readonly rule: Rule = () => undefined) {}
  async runAll(programs: readonly ProgramCode[], opts: { family: Family }): Promise<Run[]> {
    return programs.map((p) => {
      this.ran++;
      // The how-many-th time this exact Program runs on this family: lets a rule be flaky on purpose.
      const key = opts.family + ':' + Array.from(p.code).join(',');
      const n = this.calls.get(key) ?? 0;
      this.calls.set(key, n + 1);
      return { view: viewOf(plantedRun(p, opts.family, this.rule, n)) };
    });
  }
}

/** Index of the first op with this code, or -1. */
export function firstOp(p: ProgramCode, code: number): number {
  for (let i = 0; i < p.code.length / OP_WORDS; i++) if (p.code[i * OP_WORDS] === code) return i;
  return -1;
}

/**
 * A run answering exactly as @epl/model predicts (certain segments only): a stand-in kernel for
 * the model oracle's own logic, perturbed by `change` where a test wants a disagreement. The
 * model itself is checked against the real kernel in model-property.test.ts.
 */
export function modelRun(p: Seq, family: Family, change: (i: number) => Partial<StepResult> | undefined = () => undefined): RunResult {
  const steps = predict(p, family).steps.map((m, i): StepResult => {
    const wire = m.wire
      .filter((w): w is PredictedSegment => !isBulk(w) && w.timing === 'now')
      .map((w) => ({ src: w.src, dst: w.dst, flags: w.flags, len: w.len }));
    const base: StepResult = {
      ret: m.result.ret,
      errno: m.result.errno,
      fds: [],
      wire,
      ...(m.result.bytes ? { bytes: m.result.bytes } : {}),
      ...(m.ready ? { ready: m.ready.map((e) => ({ slot: e.data, events: e.events })) } : {}),
    };
    return { ...base, ...change(i) };
  });
  return { steps, kernel: 'model', family, netns: true, wire: { captured: true } };
}
