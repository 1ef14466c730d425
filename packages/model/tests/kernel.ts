// Runs Programs on the real kernel through a lane (@epl/pool: one isolated native thread, its
// own descriptor table and, as root, network namespace and capture) and compares them with the
// model. For the corpus and property tests.
import type { Family, Program } from '@epl/program';
import { Lane } from '@epl/pool';
import { compare, predict } from '../src';
import type { ModelProgram } from '../src';

export interface Tally {
  steps: number;
  /** Steps whose result and ready list agree. */
  agree: number;
  /** Steps with a captured wire, and those whose segments agree. */
  wireSteps: number;
  wireAgree: number;
  /** Segments matched to a pure ACK the model says may land then (timing-dependent, counted). */
  timing: number;
  /** What disagreed, one line per step. */
  differences: string[];
}

export function tally(): Tally {
  return { steps: 0, agree: 0, wireSteps: 0, wireAgree: 0, timing: 0, differences: [] };
}

/** Runs `programs` on the kernel with `family` and adds the comparisons to `t`. */
export async function runAndCompare(lane: Lane, programs: readonly ModelProgram[], family: Family, t: Tally, label: (i: number) => string): Promise<void> {
  for await (const r of lane.run(programs.map((program) => ({ program, family })))) {
    const p = programs[r.id];
    const result = r.view?.toResult();
    if (!result || result.error) {
      t.differences.push(`${label(r.id)}: ${result?.error ?? r.lost ?? 'no result'}`);
      continue;
    }
    const c = compare(p, result, predict(p, family));
    c.steps.forEach((s, i) => {
      t.steps++;
      if (s.agree.result && s.agree.ready !== false) t.agree++;
      else t.differences.push(`${label(r.id)} [${family}] step ${i + 1}: ${s.differences.join('; ')}`);
      if (s.agree.wire !== null) {
        t.wireSteps++;
        if (s.agree.wire) t.wireAgree++;
      }
      t.timing += s.timing;
    });
  }
}

export type { Program };
