// `epl record`: the source with observed `=>` / `~>` inserted where a step had none.
// Only insertions at Step.end: every other byte of the file stays as it was.
import { word } from '@epl/program';
import type { Program } from '@epl/program';
import type { ResultView } from '@epl/executor';
import { observedResult, observedWire, opMakesTcp } from './observed';

/** First op index from which a `~>` can say something (a TCP socket exists); Infinity if never. */
export function firstTcpOp(program: Program, family: string): number {
  for (let i = 0; i < program.steps.length; i++) if (opMakesTcp(word(program, i, 0), family)) return i;
  return Infinity;
}

/**
 * The text to insert after op `i` of `program`: ` => R` when the step has no `=>`, and
 * ` ~> W` when it has no `~>`, the wire was captured and a TCP socket exists by then.
 * Empty when there is nothing to add (or the step did not run).
 */
export function observedSuffix(program: Program, view: ResultView, i: number, tcpFrom: number): string {
  if (i >= view.stepCount) return '';
  const step = program.steps[i];
  const r = view.step(i);
  let s = '';
  if (!step.expect) s += ` => ${observedResult(program, i, r)}`;
  if (!step.wire && view.captured && i >= tcpFrom) s += ` ~> ${observedWire(program, r)}`;
  return s;
}

/**
 * `source` with every step's observation filled in. `programs[k]` ran as `views[k]` (one per
 * scenario of the file). A setup step, shared by every scenario, takes the first scenario's
 * observation.
 */
export function record(source: string, programs: readonly Program[], views: readonly ResultView[]): string {
  if (programs.length !== views.length) throw new Error(`record: ${programs.length} programs but ${views.length} results`);
  const inserts = new Map<number, string>();
  programs.forEach((program, k) => {
    const view = views[k];
    const tcpFrom = firstTcpOp(program, view.family);
    program.steps.forEach((step, i) => {
      // The first scenario that ran a (setup) step decides it.
      if (inserts.has(step.end)) return;
      const text = observedSuffix(program, view, i, tcpFrom);
      if (text) inserts.set(step.end, text);
    });
  });
  const at = [...inserts.keys()].sort((a, b) => a - b);
  let out = '';
  let prev = 0;
  for (const off of at) {
    out += source.slice(prev, off) + inserts.get(off)!;
    prev = off;
  }
  return out + source.slice(prev);
}
