// Reading the JSON lines of `epl run --json` back (packages/runner/README.md, "JSON records"),
// from this machine or any other: every line is checked for the fields a comparison reads.
import type { AnyScenarioRecord as ScenarioRecord } from '@epl/report';

/** Bad input: `file:line: reason`, one line. */
export class RecordsError extends Error {
  override readonly name = 'RecordsError';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is wrong with a parsed line, or undefined when it is a scenario record. */
function recordProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  for (const k of ['file', 'title', 'family', 'kernel'] as const) if (typeof v[k] !== 'string') return `no "${k}" string`;
  if (!isObject(v.wire) || typeof v.wire.captured !== 'boolean') return 'no "wire": { "captured": … }';
  if (!Array.isArray(v.steps)) return 'no "steps" list';
  for (const [i, s] of (v.steps as unknown[]).entries()) {
    if (!isObject(s)) return `steps[${i}] is not an object`;
    if (typeof s.line !== 'number' || typeof s.col !== 'number') return `steps[${i}] has no "line" and "col" numbers`;
    if (typeof s.op !== 'string' || typeof s.got !== 'string') return `steps[${i}] has no "op" and "got" strings`;
    if (s.wire !== undefined) {
      if (!Array.isArray(s.wire)) return `steps[${i}].wire is not a list`;
      for (const g of s.wire as unknown[])
        if (!isObject(g) || typeof g.src !== 'string' || typeof g.dst !== 'string' || typeof g.flags !== 'string' || typeof g.len !== 'number')
          return `steps[${i}].wire holds a segment without src, dst, flags and len`;
    }
  }
  return undefined;
}

/**
 * The records of one `epl run --json` output; blank lines are skipped. Throws a RecordsError
 * naming `file` and the line of the first bad record.
 */
export function parseRecords(text: string, file: string): ScenarioRecord[] {
  const out: ScenarioRecord[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new RecordsError(file, i + 1, `not JSON (${(e as Error).message}): a line of \`epl run --json\` was expected`);
    }
    const problem = recordProblem(v);
    if (problem) throw new RecordsError(file, i + 1, `not a record of \`epl run --json\`: ${problem}`);
    out.push(v as ScenarioRecord);
  });
  return out;
}
