// Test helpers: a scenario in EPL text, compiled and predicted; names and flags for assertions.
import { compile } from '@epl/compiler';
import { EPOLL_FLAGS, errnoName, formatEpollFlags, formatTcpFlags } from '@epl/program';
import type { Family, Program } from '@epl/program';
import { compare, isBulk, predict } from '../src';
import type { Prediction, PredictOptions, StepPrediction } from '../src';

export const F = EPOLL_FLAGS;

export interface Modelled {
  readonly program: Program;
  readonly prediction: Prediction;
  /** Step i (0-based). */
  step(i: number): StepPrediction;
  /** The last step. */
  last(): StepPrediction;
  /** A step's result: the number, the errno name, or (up to 64 bytes read) the bytes as latin1 text in quotes. */
  result(i: number): string;
  /** A wait's ready list as `name: FLAGS` sorted, or 'none'. */
  ready(i: number): string;
  /** A step's certain segments as `A > B FLAGS [len N]`, comma separated, or 'none'. */
  wire(i: number): string;
  /** The rules of a step's reasons. */
  rules(i: number): string[];
}

/** Every scenario this test file modelled (without flips), to check against the kernel at the end. */
const modelled: { text: string; family: Family }[] = [];

/** Compiles one scenario (the first of the file) and predicts it. */
export function model(text: string, family: Family = 'tcp', options: PredictOptions = {}): Modelled {
  if (!options.flip) modelled.push({ text, family });
  const [program] = compile(text, 'test.epl');
  const prediction = predict(program, family, options);
  const name = (slot: number): string => program.names[slot] ?? `#${slot}`;
  const step = (i: number): StepPrediction => {
    const s = prediction.steps[i] as StepPrediction | undefined;
    if (!s) throw new Error(`no step ${i}`);
    return s;
  };
  return {
    program,
    prediction,
    step,
    last: () => step(prediction.steps.length - 1),
    result(i) {
      const r = step(i).result;
      if (r.errno) return errnoName(r.errno);
      if (r.bytes && r.bytes.length <= 64) return JSON.stringify(Buffer.from(r.bytes).toString('latin1'));
      if (r.range) return `${r.range.lo}..${r.range.hi}`;
      return String(r.ret);
    },
    ready(i) {
      const list = step(i).ready ?? [];
      if (!list.length) return 'none';
      return list
        .map((e) => `${name(e.data)}: ${formatEpollFlags(e.events)}`)
        .sort()
        .join(', ');
    },
    wire(i) {
      const w = step(i).wire.filter((x) => isBulk(x) || x.timing === 'now');
      if (!w.length) return 'none';
      return w
        .map((x) =>
          isBulk(x) ? `${name(x.src)} > ${name(x.dst)} bulk` : `${name(x.src)} > ${name(x.dst)} ${formatTcpFlags(x.flags)}${x.len ? ` len ${x.len}` : ''}`,
        )
        .join(', ');
    },
    rules(i) {
      return step(i).why.map((r) => r.rule);
    },
  };
}

/** The 0-based index of the step on line `line` (1-based) of the source. */
export function stepOnLine(m: Modelled, line: number): number {
  const i = m.program.steps.findIndex((s) => s.span.line === line);
  if (i < 0) throw new Error(`no step on line ${line}`);
  return i;
}

/**
 * Runs every scenario the file's tests modelled on the real kernel (a lane: an isolated native
 * thread) and compares results, ready lists and (when captured) the wire: the answers the unit
 * tests assert are the kernel's, not just the model's.
 * Returns the steps that disagree, as text.
 */
export async function kernelDisagreements(): Promise<string[]> {
  const { Lane } = await import('@epl/pool');
  const lane = new Lane();
  const out: string[] = [];
  try {
    for (const family of [...new Set(modelled.map((m) => m.family))]) {
      const texts = modelled.filter((m) => m.family === family).map((m) => m.text);
      const programs = texts.map((t) => compile(t, 'test.epl')[0]);
      for await (const r of lane.run(programs.map((program) => ({ program, family })))) {
        const p = programs[r.id];
        if (!r.view) throw new Error(`lost: ${r.lost}`);
        const cmp = compare(p, r.view.toResult(), predict(p, family));
        cmp.steps.forEach((c, i) => {
          if (!c.agree.result || c.agree.ready === false || c.agree.wire === false)
            out.push(`${JSON.stringify(texts[r.id])} [${family}] step ${i + 1}: ${c.differences.join('; ')}`);
        });
      }
    }
  } finally {
    await lane.close();
  }
  return out;
}
