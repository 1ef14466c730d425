// Configuration, checked once so that a typo fails the run with a message instead of
// being ignored. Two places, on purpose:
// - the family matrix is per project: `testEnvironmentOptions: { eplFamilies: [...] }`
//   (these files have no test environment, so the key is free). Keeping it out of the
//   runner's options keeps every project's runner key equal, and jest then hands ALL the
//   projects' files to one runner instance: one pool for the whole run.
// - run-wide knobs are the runner's options: `runner: ['@epl/jest-runner', { workers: 4, retries: 2 }]`.
import * as path from 'node:path';
import { FAMILIES, type Family } from '@epl/program';
import { MAX_RETRIES } from '@epl/runner';

/** What a project may write in `runner: ['@epl/jest-runner', options]`. */
export interface EplRunnerOptions {
  /** Pool workers; defaults to jest's `maxWorkers` (`-w`, `--maxWorkers`). */
  workers?: number;
  /**
   * Further attempts for a scenario whose expectations failed (default 0; errors are never
   * retried). A pass on a later attempt is a passed test, listed in a note at the end.
   */
  retries?: number;
  /**
   * Write the run as @epl/report's HTML page to this file (relative to jest's rootDir): every
   * scenario's timeline and wire, as `epl run --html` writes it.
   */
  html?: string;
}

const RUNNER_OPTIONS = ['workers', 'retries', 'html'];

/** What a project may write in `testEnvironmentOptions`. */
export interface EplProjectOptions {
  /** Run every scenario once per family (`pair` takes it); titles then end in `[family]`. */
  eplFamilies?: Family[];
}

function fail(what: string): never {
  throw new Error(`@epl/jest-runner: ${what}`);
}

/** The runner's options, every key known. */
function runnerOptions(raw: Record<string, unknown> | undefined): Record<string, unknown> {
  const opts = raw ?? {};
  for (const key of Object.keys(opts)) {
    if (key === 'families' || key === 'eplFamilies')
      fail(`the family matrix goes in the project's testEnvironmentOptions: { eplFamilies: [...] }, not in the runner's options`);
    if (!RUNNER_OPTIONS.includes(key)) fail(`unknown runner option '${key}' (known: ${RUNNER_OPTIONS.join(', ')})`);
  }
  return opts;
}

/** The pool size: the `workers` option, else jest's maxWorkers, never less than one. */
export function resolveWorkers(raw: Record<string, unknown> | undefined, maxWorkers: number): number {
  const opts = runnerOptions(raw);
  if (opts.workers === undefined) return Math.max(1, Math.floor(maxWorkers) || 1);
  if (typeof opts.workers !== 'number' || !Number.isInteger(opts.workers) || opts.workers < 1) {
    fail(`'workers' must be a positive integer, got ${JSON.stringify(opts.workers)}`);
  }
  return opts.workers;
}

/** Retries per scenario whose expectations failed: the `retries` option, else 0. */
export function resolveRetries(raw: Record<string, unknown> | undefined): number {
  const { retries } = runnerOptions(raw);
  if (retries === undefined) return 0;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    fail(`'retries' must be a whole number from 0 to ${MAX_RETRIES}, got ${JSON.stringify(retries)}`);
  }
  return retries;
}

/** Where to write the HTML report of the run (the `html` option, resolved against `rootDir`), or undefined. */
export function resolveHtml(raw: Record<string, unknown> | undefined, rootDir: string): string | undefined {
  const { html } = runnerOptions(raw);
  if (html === undefined) return undefined;
  if (typeof html !== 'string' || html === '') fail(`'html' must be the path of a file, got ${JSON.stringify(html)}`);
  return path.resolve(rootDir, html);
}

/** A project's family matrix, or undefined: one run per scenario with the runner's default family. */
export function resolveFamilies(testEnvironmentOptions: Record<string, unknown> | undefined): readonly Family[] | undefined {
  const f = testEnvironmentOptions?.eplFamilies;
  if (f === undefined) return undefined;
  if (!Array.isArray(f) || f.length === 0) fail(`'eplFamilies' must be a non-empty list of ${FAMILIES.join(', ')}`);
  for (const x of f) {
    if (!(FAMILIES as readonly unknown[]).includes(x)) fail(`unknown family ${JSON.stringify(x)} in 'eplFamilies' (known: ${FAMILIES.join(', ')})`);
  }
  // A repeated family would run, and report, the same test twice under one title.
  if (new Set(f).size !== f.length) fail(`'eplFamilies' lists a family twice: ${f.join(', ')}`);
  return [...(f as Family[])];
}
