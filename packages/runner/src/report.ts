// What a run of files produced, per scenario: the JSON record, the failure text, and the
// steps where families disagree.
import { Op, OPS, errnoName, formatEpollFlags, formatFrame, formatShutMode, formatTcpFlags, opName, opSpec, stringOperand, word } from '@epl/program';
import type { Family, Program, RunResult, StepResult, WireStatus } from '@epl/program';
import type { CheckResult, Failure } from './check';
import { formatExpect, formatObserved, formatWire, formatWireExpect, quoteBytes, slotName } from './render';
import { transcript } from './transcript';

/** One scenario run with one family. */
export interface ScenarioReport {
  readonly file: string;
  readonly title: string;
  /** Index of the scenario in its file. */
  readonly index: number;
  readonly family: Family;
  readonly program: Program;
  readonly result: RunResult;
  readonly check: CheckResult;
  readonly pass: boolean;
  /** Runs made: 1, or more when retries were allowed and earlier attempts failed an expectation. */
  readonly attempts: number;
  /** Present when the scenario passed after failing: `program`, `result` and `check` are the passing attempt's. */
  readonly flaky?: Flaky;
}

/** A pass after a failure: the kernel answered differently from one attempt to the next. */
export interface Flaky {
  /** Attempts made, the passing one included. */
  readonly attempts: number;
  /** The first attempt's failure text (`formatFailures`: located step, expected vs got, transcript). */
  readonly firstFailure: string;
  /** The first attempt's failed expectations. */
  readonly failures: readonly Failure[];
}

/** A located error of a file (it could not be read or compiled). */
export interface FileError {
  /** `file:line:col: reason` with the quoted line and caret, or `file: reason` without a location. */
  readonly message: string;
  readonly line?: number;
  readonly col?: number;
}

export interface FileReport {
  readonly file: string;
  /** The text of the file (absent when it could not be read). */
  readonly source?: string;
  readonly error?: FileError;
  /** Every scenario (after --filter) × family, scenario-major. */
  readonly scenarios: readonly ScenarioReport[];
  /** No error and every scenario passed. */
  readonly pass: boolean;
}

/** The JSON record of one step (see README: JSON records). */
export interface StepRecord {
  readonly line: number;
  readonly col: number;
  readonly op: string;
  /** The statement belongs to the file's setup (shared by every scenario), not to the scenario's block. */
  readonly setup: boolean;
  /** The return value, or the errno name when the call failed. */
  readonly result: number | string;
  /** Real descriptor numbers bound by the step, by name. */
  readonly fds: Record<string, number>;
  /** Bytes read, one char per byte (latin1). */
  readonly bytes?: string;
  readonly ready?: { readonly name: string; readonly events: string }[];
  readonly wire?: { readonly src: string; readonly dst: string; readonly flags: string; readonly len: number }[];
  /** What came, in EPL syntax (as `record` would write it after `=>`). */
  readonly got: string;
  readonly expect?: string;
  readonly wireExpect?: string;
  /** `~>` was present but the wire was not captured. */
  readonly wireChecked?: false;
  readonly pass: boolean;
}

/** The JSON record of one scenario run: one line of `epl run --json`. */
export interface ScenarioRecord {
  readonly file: string;
  readonly title: string;
  readonly family: Family;
  readonly kernel: string;
  readonly netns: boolean;
  readonly wire: WireStatus;
  readonly pass: boolean;
  /** Runs made (more than 1 only with retries). */
  readonly attempts: number;
  /** Present when the scenario passed after failing. */
  readonly flaky?: { readonly attempts: number; readonly firstFailure: string };
  readonly error?: string;
  /** The Program's names in slot order (setup and scenario). */
  readonly names: readonly string[];
  readonly steps: readonly StepRecord[];
}

/** The statement text of op `i`: from the source when known, else rebuilt from the op. */
export function stepText(program: Program, i: number, source?: string): string {
  const span = program.steps[i]?.span;
  if (source !== undefined && span && span.end > span.offset) return source.slice(span.offset, span.end);
  const code = word(program, i, 0);
  const w = (k: number) => word(program, i, k);
  const n = (k: number) => slotName(program, w(k));
  switch (code) {
    case Op.dup:
    case Op.dup2:
    case Op.accept:
      return `${opName(program, i)} ${n(1)} -> ${n(2)}`;
    case Op.connect_new:
      return `connect ${n(1)} ${n(2)}`;
    case Op.add:
    case Op.mod:
      return `${opName(program, i)} ${n(1)} ${n(2)} ${formatEpollFlags(w(3))}${w(4) !== w(2) ? ` data ${n(4)}` : ''}`;
    case Op.wait:
      return `wait ${n(1)} max ${w(2)} timeout ${w(3)}`;
    case Op.shutdown:
      return `shutdown ${n(1)} ${formatShutMode(w(2))}`;
    case Op.write:
      return `write ${n(1)} ${quoteBytes(stringOperand(program, i, 2))}`;
    case Op.write_n:
      return `write ${n(1)} ${w(2)}`;
    case Op.send_oob:
      return `send ${n(1)} ${quoteBytes(stringOperand(program, i, 2))} oob`;
    case Op.sleep:
      return `sleep ${w(1)}`;
  }
  const spec = opSpec(code);
  if (!spec) return opName(program, i);
  const parts: string[] = [spec.name];
  spec.operands.forEach((kind, j) => parts.push(kind === 'bind' || kind === 'rebind' || kind === 'use' || kind === 'data' ? n(j + 1) : String(w(j + 1))));
  return parts.join(' ');
}

function fdsOf(program: Program, i: number, r: StepResult): Record<string, number> {
  const spec = OPS.find((o) => o.code === word(program, i, 0));
  const out: Record<string, number> = {};
  if (!spec) return out;
  let k = 0;
  spec.operands.forEach((kind, j) => {
    if (kind !== 'bind' && kind !== 'rebind') return;
    const fd = r.fds[k++];
    if (fd !== undefined && fd >= 0) out[slotName(program, word(program, i, j + 1))] = fd;
  });
  return out;
}

/** The JSON record of a scenario report. */
export function toRecord(s: ScenarioReport, source?: string): ScenarioRecord {
  const { program, result, check } = s;
  const steps: StepRecord[] = result.steps.map((r, i) => {
    const step = program.steps[i];
    const c = check.steps[i];
    const rec: Record<string, unknown> = {
      line: step?.span.line ?? 0,
      col: step?.span.col ?? 0,
      op: stepText(program, i, source),
      setup: step?.setup ?? false,
      result: r.errno !== 0 ? errnoName(r.errno) : r.ret,
      fds: fdsOf(program, i, r),
    };
    if (r.bytes) rec.bytes = Buffer.from(r.bytes).toString('latin1');
    if (r.ready) rec.ready = r.ready.map((e) => ({ name: slotName(program, e.slot), events: formatEpollFlags(e.events) }));
    if (result.wire.captured)
      rec.wire = r.wire.map((g) => ({ src: slotName(program, g.src), dst: slotName(program, g.dst), flags: formatTcpFlags(g.flags), len: g.len }));
    rec.got = formatObserved(program, i, r, step?.expect);
    if (step?.expect) rec.expect = formatExpect(program, step.expect);
    if (step?.wire) rec.wireExpect = formatWireExpect(program, step.wire);
    if (c?.wire === 'unchecked') rec.wireChecked = false;
    rec.pass = c ? c.result !== 'fail' && c.wire !== 'fail' : true;
    return rec as unknown as StepRecord;
  });
  const out: ScenarioRecord = {
    file: s.file,
    title: s.title,
    family: s.family,
    kernel: result.kernel,
    netns: result.netns,
    wire: result.wire,
    pass: s.pass,
    attempts: s.attempts,
    ...(s.flaky ? { flaky: { attempts: s.flaky.attempts, firstFailure: s.flaky.firstFailure } } : {}),
    names: [...program.names],
    steps,
  };
  return result.error !== undefined ? { ...out, error: result.error } : out;
}

/**
 * The text for one failed expectation: location, the quoted statement with a caret, what was
 * expected and what came (EPL syntax), then the transcript up to that step.
 */
export function formatFailure(s: ScenarioReport, f: Failure, source?: string): string {
  const arrow = f.kind === 'wire' ? '~>' : '=>';
  const reason = `scenario "${s.title}"${s.family !== 'tcp' ? ` [${s.family}]` : ''}: ${arrow} expectation failed`;
  const head = source !== undefined ? formatFrame(f.file, source, f, reason) : `${f.file}:${f.line}:${f.col}: ${reason}`;
  const t = transcript(s.program, s.result, { upTo: f.index, indent: '    ' });
  return `${head}\n  expected: ${arrow} ${f.expected}\n  got:      ${arrow} ${f.got}\n  transcript:\n${t}`;
}

/**
 * The whole text for a scenario that did not pass: every failed expectation (`formatFailure`),
 * then the error (`formatError`), separated by a blank line; no trailing newline.
 */
export function formatFailures(s: ScenarioReport, source?: string): string {
  const parts = s.check.failures.map((f) => formatFailure(s, f, source).trimEnd());
  if (s.check.error !== undefined) parts.push(formatError(s).trimEnd());
  return parts.join('\n\n');
}

/** The text for a scenario that did not run to its end. */
export function formatError(s: ScenarioReport): string {
  const done = s.result.steps.length;
  const at = s.program.steps[done];
  const where = at ? `${s.file}:${at.span.line}:${at.span.col}` : s.file;
  const t = transcript(s.program, s.result, { indent: '    ', upTo: done - 1 });
  return `${where}: scenario "${s.title}"${s.family !== 'tcp' ? ` [${s.family}]` : ''}: error: ${String(s.result.error)}\n` + (t ? `  transcript:\n${t}` : '');
}

/** One step where families disagree: what each family observed (result, then wire). */
export interface FamilyDifference {
  readonly file: string;
  readonly title: string;
  readonly line: number;
  readonly col: number;
  readonly op: string;
  readonly observed: Partial<Record<Family, string>>;
}

function observedText(s: ScenarioReport, i: number): string {
  const r = s.result.steps[i];
  if (!r) return '(not run)';
  const res = formatObserved(s.program, i, r);
  return s.result.wire.captured ? `${res} ~> ${formatWire(s.program, r.wire)}` : res;
}

/** The steps whose observations differ between the families a scenario ran with. */
export function familyDifferences(reports: readonly ScenarioReport[], sources?: ReadonlyMap<string, string>): FamilyDifference[] {
  const groups = new Map<string, ScenarioReport[]>();
  for (const s of reports) {
    const key = `${s.file}\0${s.index}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const out: FamilyDifference[] = [];
  // A setup step runs in every scenario of its file: show each of its differences once.
  const shown = new Set<string>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const first = g[0];
    for (let i = 0; i < first.program.steps.length; i++) {
      const seen = g.map((s) => observedText(s, i));
      if (seen.every((v) => v === seen[0])) continue;
      const observed: Partial<Record<Family, string>> = {};
      g.forEach((s, k) => (observed[s.family] = seen[k]));
      const span = first.program.steps[i].span;
      const key = `${first.file}\0${span.offset}\0${span.line}\0${seen.join('\0')}`;
      if (shown.has(key)) continue;
      shown.add(key);
      out.push({ file: first.file, title: first.title, line: span.line, col: span.col, op: stepText(first.program, i, sources?.get(first.file)), observed });
    }
  }
  return out;
}
