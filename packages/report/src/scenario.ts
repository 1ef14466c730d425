// What reports read: one scenario run with one family, and the texts for what went wrong.
import { printResult, printWire } from '@epl/compiler';
import type { Failure, Outcome } from '@epl/check';
import type { ResultView } from '@epl/executor';
import { formatFrame } from '@epl/program';
import type { Family, Program } from '@epl/program';
import { observedResult, observedWire } from './observed';
import { transcript } from './transcript';

/** One scenario run with one family, as the runner gives it. */
export interface Scenario {
  /** The file as given (or found under a folder). */
  readonly file: string;
  readonly program: Program;
  readonly family: Family;
  readonly outcome: Outcome;
  /** Its results, when the run kept them (failures always; every run when asked). */
  readonly view?: ResultView;
  /** Runs made: 1, or more when retries were allowed and earlier attempts failed an expectation. */
  readonly attempts: number;
  /** Present when it passed after failing. */
  readonly flaky?: Flaky;
}

/** A pass after a failure: the kernel answered differently from one attempt to the next. */
export interface Flaky {
  /** Attempts made, the passing one included. */
  readonly attempts: number;
  /** The first attempt: its failures, and its results. */
  readonly first: { readonly outcome: Outcome; readonly view?: ResultView };
}

/** `scenario "title"`, with the family it ran with when it is not tcp. */
export function scenarioName(s: Pick<Scenario, 'program' | 'family' | 'view'>): string {
  const family = s.view?.family ?? s.family;
  return `scenario "${s.program.title}"${family !== 'tcp' ? ` [${family}]` : ''}`;
}

/** A failure's expectation and observation in EPL syntax (paste-able after `=>` / `~>`). */
export function failureTexts(program: Program, f: Failure): { readonly expected: string; readonly got: string } {
  const step = program.steps[f.index];
  if (f.kind === 'wire') return { expected: step.wire ? printWire(program.names, step.wire) : 'none', got: observedWire(program, f.got) };
  return { expected: step.expect ? printResult(program.names, step.expect) : '', got: observedResult(program, f.index, f.got, step.expect) };
}

/**
 * The text for one failed expectation: location, the quoted statement with a caret, what was
 * expected and what came (EPL syntax), then the transcript up to that step.
 */
export function failureText(s: Scenario, f: Failure, source?: string, view: ResultView | undefined = s.view): string {
  const arrow = f.kind === 'wire' ? '~>' : '=>';
  const reason = `${scenarioName(s)}: ${arrow} expectation failed`;
  const head = source !== undefined ? formatFrame(f.file, source, f, reason) : `${f.file}:${f.line}:${f.col}: ${reason}`;
  const { expected, got } = failureTexts(s.program, f);
  const t = view ? `\n  transcript:\n${transcript(s.program, view, { upTo: f.index, indent: '    ' })}` : '\n';
  return `${head}\n  expected: ${arrow} ${expected}\n  got:      ${arrow} ${got}${t}`;
}

/** The text for a scenario that did not run to its end: where it stopped, why, and what ran. */
export function errorText(s: Pick<Scenario, 'file' | 'program' | 'family' | 'outcome' | 'view'>): string {
  const o = s.outcome;
  if (o.status === 'lost') return `${s.file}: ${scenarioName(s)}: lost: ${String(o.error)}\n`;
  const at = s.program.steps[o.ran];
  const where = at ? `${s.file}:${at.span.line}:${at.span.col}` : s.file;
  const t = s.view ? transcript(s.program, s.view, { indent: '    ', upTo: o.ran - 1 }) : '';
  return `${where}: ${scenarioName(s)}: error: ${String(o.error)}\n` + (t ? `  transcript:\n${t}` : '');
}

/** What the run could not keep, in one line (undefined when it kept everything). */
export function truncationText(o: Outcome): string | undefined {
  const t = o.truncated;
  if (!t) return undefined;
  const parts: string[] = [];
  if (t.bytes > 0) parts.push(`${t.bytes} bytes read were not kept (past the run's limit on recorded bytes)`);
  if (t.segments > 0) parts.push(`${t.segments} segments were not kept (past a step's limit)`);
  return parts.join('; ');
}

/** Everything that went wrong in one scenario: each failed expectation, then the error; no trailing newline. */
export function scenarioText(s: Scenario, source?: string): string {
  const parts = s.outcome.failures.map((f) => failureText(s, f, source).trimEnd());
  if (s.outcome.status === 'errored' || s.outcome.status === 'lost') parts.push(errorText(s).trimEnd());
  return parts.join('\n\n');
}

/** The first attempt of a flaky scenario, as its own scenario (to print what it got). */
export function firstAttempt(s: Scenario): Scenario | undefined {
  if (!s.flaky) return undefined;
  return { file: s.file, program: s.program, family: s.family, outcome: s.flaky.first.outcome, view: s.flaky.first.view, attempts: 1 };
}
