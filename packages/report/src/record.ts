// `epl record`: the source with observed `=>` / `~>` inserted where a step had none.
// Only insertions at Step.end: every other byte of the file stays as it was.
import { word } from '@epl/program';
import type { Program, RunResult } from '@epl/program';
import { formatObserved, formatWire, opMakesTcp } from './render';

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
export function observedSuffix(program: Program, result: RunResult, i: number, tcpFrom: number): string {
  const step = program.steps[i];
  const r = result.steps[i];
  if (!r) return '';
  let s = '';
  if (!step.expect) s += ` => ${formatObserved(program, i, r)}`;
  if (!step.wire && result.wire.captured && i >= tcpFrom) s += ` ~> ${formatWire(program, r.wire)}`;
  return s;
}

/**
 * `source` with every step's observation filled in. `programs[k]` ran as `results[k]`
 * (same length, one per scenario of the file). A setup step, shared by every scenario,
 * takes the first scenario's observation.
 */
export function record(source: string, programs: readonly Program[], results: readonly RunResult[]): string {
  if (programs.length !== results.length) throw new Error(`record: ${programs.length} programs but ${results.length} results`);
  const inserts = new Map<number, string>();
  programs.forEach((program, k) => {
    const result = results[k];
    const tcpFrom = firstTcpOp(program, result.family);
    program.steps.forEach((step, i) => {
      // The first scenario that ran a (setup) step decides it.
      if (inserts.has(step.end)) return;
      const text = observedSuffix(program, result, i, tcpFrom);
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
