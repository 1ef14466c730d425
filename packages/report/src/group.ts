// Records → the report's structure: scenarios (same file and title) with their runs per family
// and kernel, statuses, counts, and the lines of the source each scenario was written in.
import { sourceOf } from './records';
import type { AnyScenarioRecord, Sources } from './records';
import type { GroupData, VariantData } from './view';

/** How a run, or a scenario over all its runs, came out. `error` beats `fail` beats `flaky`. */
export type Status = 'pass' | 'flaky' | 'fail' | 'error';

const RANK: Readonly<Record<Status, number>> = { pass: 0, flaky: 1, fail: 2, error: 3 };

export function recordStatus(r: AnyScenarioRecord): Status {
  if (r.error !== undefined) return 'error';
  if (!r.pass) return 'fail';
  return r.flaky ? 'flaky' : 'pass';
}

export function worst(statuses: readonly Status[]): Status {
  return statuses.reduce<Status>((a, b) => (RANK[b] > RANK[a] ? b : a), 'pass');
}

/** A scenario of the report: every run of one file's scenario title. */
export interface Group extends GroupData {
  readonly status: Status;
}

/** A short stable id: the same file and title get the same link in every report. */
function idOf(file: string, title: string): string {
  let h = 0x811c9dc5;
  const text = `${file}\0${title}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return 's' + h.toString(16).padStart(8, '0');
}

/** The comment of a source line (from a `#` outside a string literal), or undefined. */
export function commentOf(line: string): string | undefined {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '#') return line.slice(i).trim();
  }
  return undefined;
}

const MAX_EXCERPT_LINES = 200;

/** The setup's lines, then the scenario block from its `scenario "…" {` to its `}`. */
function excerptOf(lines: readonly string[], records: readonly AnyScenarioRecord[]): [number | null, string][] {
  const setup = new Set<number>();
  const own = new Set<number>();
  for (const r of records) for (const s of r.steps) (s.setup ? setup : own).add(s.line);
  const range = (set: Set<number>): [number, number] | undefined => (set.size ? [Math.min(...set), Math.max(...set)] : undefined);
  const out: [number | null, string][] = [];
  const push = (from: number, to: number) => {
    if (out.length && out[out.length - 1][0] !== null && (out[out.length - 1][0] as number) < from - 1) out.push([null, '']);
    for (let n = from; n <= to && n <= lines.length && out.length < MAX_EXCERPT_LINES; n++) if (!out.some(([m]) => m === n)) out.push([n, lines[n - 1]]);
  };
  const s = range(setup);
  if (s) push(s[0], s[1]);
  const o = range(own);
  if (o) {
    let from = o[0];
    if (s)
      for (let n = o[0] - 1; n > s[1]; n--)
        if (/^\s*scenario\b/.test(lines[n - 1] ?? '')) {
          from = n;
          break;
        }
    let to = o[1];
    for (let n = o[1] + 1; n <= lines.length && n <= o[1] + 50; n++)
      if (/^\s*\}/.test(lines[n - 1])) {
        to = n;
        break;
      }
    push(from, to);
  }
  return out;
}

/** Labels of the variants: the family, and the kernel too when the report has several. */
function labelOf(r: AnyScenarioRecord, severalKernels: boolean): string {
  return severalKernels ? `${r.family} · ${r.kernel}` : r.family;
}

/** The scenarios of a set of records, in the order their first records come. */
export function groupRecords(records: readonly AnyScenarioRecord[], sources?: Sources): Group[] {
  const severalKernels = new Set(records.map((r) => r.kernel)).size > 1;
  const byKey = new Map<string, AnyScenarioRecord[]>();
  for (const r of records) {
    const key = `${r.file}\0${r.title}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const ids = new Set<string>();
  const out: Group[] = [];
  for (const list of byKey.values()) {
    const { file, title } = list[0];
    let id = idOf(file, title);
    for (let k = 2; ids.has(id); k++) id = `${idOf(file, title)}-${k}`;
    ids.add(id);
    const seen = new Map<string, number>();
    // Kernel by kernel (in the order they first come), so that a kernel's families sit together.
    const kernelRank = [...new Set(list.map((r) => r.kernel))];
    const ordered = [...list].sort((a, b) => kernelRank.indexOf(a.kernel) - kernelRank.indexOf(b.kernel));
    const variants: VariantData[] = ordered.map((record) => {
      const base = labelOf(record, severalKernels);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return { label: n > 1 ? `${base} #${n}` : base, record };
    });
    const source = sourceOf(sources, file);
    let comments: Record<number, string> | undefined;
    let excerpt: [number | null, string][] | undefined;
    if (source !== undefined) {
      const lines = source.split(/\r?\n/);
      comments = {};
      for (const r of list)
        for (const s of r.steps) {
          const c = commentOf(lines[s.line - 1] ?? '');
          if (c !== undefined) comments[s.line] = c;
        }
      excerpt = excerptOf(lines, list);
    }
    out.push({
      id,
      file,
      title,
      variants,
      status: worst(list.map(recordStatus)),
      ...(comments ? { comments } : {}),
      ...(excerpt ? { excerpt } : {}),
    });
  }
  return out;
}

/** Counts over a set of records. */
export interface Summary {
  /** Records: scenario × family × kernel runs. */
  readonly runs: number;
  readonly passed: number;
  readonly failed: number;
  readonly errored: number;
  /** Passed after failing (counted in `passed` too). */
  readonly flaky: number;
  readonly scenarios: number;
  readonly files: number;
  readonly families: readonly string[];
  readonly kernels: readonly string[];
}

export function summarize(records: readonly AnyScenarioRecord[]): Summary {
  const statuses = records.map(recordStatus);
  const count = (s: Status) => statuses.filter((x) => x === s).length;
  const uniq = (xs: readonly string[]) => [...new Set(xs)];
  return {
    runs: records.length,
    passed: count('pass') + count('flaky'),
    failed: count('fail'),
    errored: count('error'),
    flaky: count('flaky'),
    scenarios: new Set(records.map((r) => `${r.file}\0${r.title}`)).size,
    files: new Set(records.map((r) => r.file)).size,
    families: uniq(records.map((r) => r.family)),
    kernels: uniq(records.map((r) => r.kernel)),
  };
}
