// Comparing `epl run --json` records across kernels: the records of each scenario × family
// are grouped by file, title and family, and every step is compared on its result and wire.
// Pure: the records may come from any machines (`epl compare`) or from `runOnKernels`.
import * as path from 'node:path';
import type { AnyScenarioRecord as ScenarioRecord, AnyStepRecord as StepRecord } from '@epl/report';

/** The records of one source: a saved `--json` file, or one kernel's run. */
export interface RecordSet {
  /** Where the records come from (a file name). */
  readonly source: string;
  readonly records: readonly ScenarioRecord[];
}

/** One column of the comparison: the records of one kernel in one source. */
export interface KernelColumn {
  /** The kernel release, or `release (source)` when the release heads several columns. */
  readonly label: string;
  readonly kernel: string;
  readonly source: string;
}

/** A step whose observation differs between columns. */
export interface KernelDifference {
  readonly file: string;
  readonly title: string;
  readonly family: string;
  readonly line: number;
  readonly col: number;
  readonly op: string;
  /** Per column: the result in EPL syntax and ` ~> ` the wire; `(not run)`; '' when that column lacks the scenario. */
  readonly observed: readonly string[];
}

export interface Comparison {
  readonly columns: readonly KernelColumn[];
  readonly differences: readonly KernelDifference[];
  /** Scenario × family groups compared. */
  readonly scenarios: number;
  /** Groups that some column lacks (run with another --filter, --family or corpus). */
  readonly partial: number;
}

function wireText(step: StepRecord): string {
  const w = step.wire ?? [];
  return w.length === 0 ? 'none' : w.map((g) => `${g.src} > ${g.dst} ${g.flags}${g.len ? ` len ${g.len}` : ''}`).join(', ');
}

function stepKey(s: StepRecord): string {
  return `${s.line}:${s.col}`;
}

/** Compares every scenario × family across the kernels of `sets`. */
export function compareRecords(sets: readonly RecordSet[]): Comparison {
  const columns: { kernel: string; source: string }[] = [];
  const groups = new Map<string, Map<number, ScenarioRecord>>();
  for (const set of sets) {
    const own = new Map<string, number>();
    for (const r of set.records) {
      let c = own.get(r.kernel);
      if (c === undefined) {
        c = columns.length;
        own.set(r.kernel, c);
        columns.push({ kernel: r.kernel, source: set.source });
      }
      const key = `${r.file}\0${r.title}\0${r.family}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = new Map<number, ScenarioRecord>()));
      // A scenario title repeated in one file: the first record stands for it.
      if (!g.has(c)) g.set(c, r);
    }
  }
  const labelled = columns.map((c): KernelColumn => {
    const shared = columns.filter((o) => o.kernel === c.kernel).length > 1;
    return { ...c, label: shared ? `${c.kernel} (${path.basename(c.source)})` : c.kernel };
  });

  const differences: KernelDifference[] = [];
  let partial = 0;
  // A setup step runs in every scenario of its file: show each of its differences once.
  const shown = new Set<string>();
  for (const g of groups.values()) {
    if (g.size < columns.length) partial++;
    if (g.size < 2) continue;
    const present = [...g.values()];
    // The wire counts only where every column captured it (a run without CAP_NET_RAW has none).
    const withWire = present.every((r) => r.wire.captured);
    const first = present[0];
    const steps = new Map<string, StepRecord>();
    for (const r of present) for (const s of r.steps) if (!steps.has(stepKey(s))) steps.set(stepKey(s), s);
    const ordered = [...steps.values()].sort((a, b) => a.line - b.line || a.col - b.col);
    for (const step of ordered) {
      const observed = columns.map((_, c) => {
        const r = g.get(c);
        if (!r) return '';
        const s = r.steps.find((x) => stepKey(x) === stepKey(step));
        if (!s) return '(not run)';
        return withWire ? `${s.got} ~> ${wireText(s)}` : s.got;
      });
      const seen = observed.filter((_, c) => g.has(c));
      if (seen.every((v) => v === seen[0])) continue;
      const key = `${first.file}\0${first.family}\0${stepKey(step)}\0${observed.join('\0')}`;
      if (shown.has(key)) continue;
      shown.add(key);
      differences.push({ file: first.file, title: first.title, family: first.family, line: step.line, col: step.col, op: step.op, observed });
    }
  }
  return { columns: labelled, differences, scenarios: groups.size, partial };
}

/** The steps where kernels differ as an aligned table (the form of `epl run --family`'s). */
export function differenceTable(c: Comparison): string {
  const labels = c.columns.map((k) => k.label);
  if (c.differences.length === 0) return `kernels agree (${labels.join(', ')}): no step differs\n`;
  const header = ['step', 'statement', ...labels];
  const rows = c.differences.map((d) => [`${d.file}:${d.line}:${d.col}${d.family !== 'tcp' ? ` [${d.family}]` : ''}`, d.op, ...d.observed]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) =>
    r
      .map((v, k) => (k === r.length - 1 ? v : v.padEnd(widths[k])))
      .join('  ')
      .trimEnd();
  const n = c.differences.length;
  return `kernels differ (${labels.join(', ')}): ${n} step${n === 1 ? '' : 's'}\n` + [header, ...rows].map((r) => '  ' + line(r)).join('\n') + '\n';
}
