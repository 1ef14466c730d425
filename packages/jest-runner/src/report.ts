// Jest's result shapes for an .epl file: one assertion result per scenario (× family),
// and the file's failure text in the look of jest's own (`● title`, indented message).
// Pure: nothing here runs anything, so it is tested without a pool.
import type { AssertionResult, SerializableError, TestResult } from '@jest/test-result';
import { createEmptyTestResult } from '@jest/test-result';
import chalk from 'chalk';

/** What became of one scenario (in one family). */
export interface ScenarioOutcome {
  /** The scenario title, plus ` [family]` when a family matrix is configured. */
  readonly title: string;
  readonly status: 'passed' | 'failed' | 'pending';
  /** For a failure: where, expected vs got, and the transcript up to the step. Plain text. */
  readonly message?: string;
  /** For a failure: the checker's structured failures (kept in `--json` output). */
  readonly details?: unknown;
  /** `--collectTests`: selected, would run, did not (reported as passed, as jest-circus does). */
  readonly wouldRun?: boolean;
  /** Runs made, with retries (jest's `invocations`). */
  readonly attempts?: number;
  /** The failure text of each attempt before the last (jest's `retryReasons`). */
  readonly retryReasons?: readonly string[];
}

/** The title of one scenario's test: its own title, and its family in a matrix. */
export function caseTitle(title: string, family?: string): string {
  return family === undefined ? title : `${title} [${family}]`;
}

/** Jest's convention: `fullName` is the ancestor titles and the title joined by spaces; `-t` matches it. */
export function fullName(file: string, title: string): string {
  return `${file} ${title}`;
}

export function assertionResult(file: string, o: ScenarioOutcome): AssertionResult {
  const failed = o.status === 'failed';
  return {
    ancestorTitles: [file],
    title: o.title,
    fullName: fullName(file, o.title),
    status: o.status,
    failureMessages: failed ? [o.message ?? 'failed'] : [],
    failureDetails: failed ? [o.details ?? null] : [],
    numPassingAsserts: o.status === 'passed' ? 1 : 0,
    duration: null,
    location: null,
    ...(o.wouldRun ? { wouldRun: true } : {}),
    // As jest-circus reports a test it retried: the default reporter logs each earlier failure
    // ("LOGGING RETRY ERRORS"), --json keeps them, CI reporters annotate them.
    ...(o.retryReasons?.length
      ? { invocations: o.attempts ?? o.retryReasons.length + 1, retryReasons: [...o.retryReasons], retryMessages: o.retryReasons.map((r) => indent(r, '    ')) }
      : {}),
  };
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l.length ? by + l : l))
    .join('\n');
}

/**
 * The file's failure text as the default reporter prints it, built here rather than by
 * jest-message-util, which would take every line after the first for a stack trace and
 * drop or re-indent transcript lines.
 */
export function failureText(cases: readonly AssertionResult[]): string | null {
  const failed = cases.filter((c) => c.status === 'failed');
  if (failed.length === 0) return null;
  return failed
    .map((c) => {
      const title = chalk.bold.red(`  ● ${[...c.ancestorTitles, c.title].join(' › ')}`);
      return `${title}\n\n${indent(c.failureMessages.join('\n\n'), '    ')}\n`;
    })
    .join('\n');
}

export interface FileTiming {
  readonly start: number;
  readonly end: number;
  /** The project's `slowTestThreshold`, in seconds. */
  readonly slowSeconds: number;
}

/** The TestResult of an .epl file whose scenarios ran (or were filtered out by `-t`). */
export function fileResult(testPath: string, file: string, outcomes: readonly ScenarioOutcome[], t: FileTiming): TestResult {
  const cases = outcomes.map((o) => assertionResult(file, o));
  const count = (s: ScenarioOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const runtime = t.end - t.start;
  const empty = createEmptyTestResult();
  return {
    ...empty,
    testFilePath: testPath,
    testResults: cases,
    numPassingTests: count('passed'),
    numFailingTests: count('failed'),
    numPendingTests: count('pending'),
    skipped: outcomes.length > 0 && count('pending') === outcomes.length,
    failureMessage: failureText(cases),
    perfStats: {
      ...empty.perfStats,
      start: t.start,
      end: t.end,
      runtime,
      slow: runtime / 1000 > t.slowSeconds,
      loadTestEnvironmentStart: t.start,
      loadTestEnvironmentEnd: t.start,
      setupFilesStart: t.start,
      setupFilesEnd: t.start,
      setupAfterEnvStart: t.start,
      setupAfterEnvEnd: t.start,
    },
  };
}

/**
 * A file that cannot run at all (a syntax or compile error): jest reports it as a suite
 * that failed to run, whose message is the located frame. An empty stack keeps jest from
 * printing a JavaScript stack under it.
 */
export function fileError(message: string, type = 'SourceError'): SerializableError {
  return { message, stack: '', type };
}
