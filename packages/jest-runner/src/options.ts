// The runner's options, given in jest's config as `runner: ['@epl/jest-runner', { … }]`.
// Jest hands them to the runner's constructor as they are: check them here, once, so a
// typo fails the run with a message instead of being ignored.
import { FAMILIES, type Family } from '@epl/program';

/** What a project may write in `runner: ['@epl/jest-runner', options]`. */
export interface EplRunnerOptions {
  /** Run every scenario once per family (`pair` takes it); titles then end in `[family]`. */
  families?: Family[];
  /** Pool workers; defaults to jest's `maxWorkers` (`-w`, `--maxWorkers`). */
  workers?: number;
}

export interface ResolvedOptions {
  /** The family matrix, or undefined for one run per scenario with the runner's default family. */
  readonly families: readonly Family[] | undefined;
  readonly workers: number;
}

const KNOWN = ['families', 'workers'];

function fail(what: string): never {
  throw new Error(`@epl/jest-runner: ${what}`);
}

export function resolveOptions(raw: Record<string, unknown> | undefined, maxWorkers: number): ResolvedOptions {
  const opts = raw ?? {};
  for (const key of Object.keys(opts)) {
    if (!KNOWN.includes(key)) fail(`unknown option '${key}' (known: ${KNOWN.join(', ')})`);
  }

  let families: Family[] | undefined;
  if (opts.families !== undefined) {
    const f = opts.families;
    if (!Array.isArray(f) || f.length === 0) fail(`'families' must be a non-empty list of ${FAMILIES.join(', ')}`);
    for (const x of f) {
      if (!(FAMILIES as readonly unknown[]).includes(x)) fail(`unknown family ${JSON.stringify(x)} (known: ${FAMILIES.join(', ')})`);
    }
    // A repeated family would run, and report, the same test twice under one title.
    if (new Set(f).size !== f.length) fail(`'families' lists a family twice: ${f.join(', ')}`);
    families = [...(f as Family[])];
  }

  let workers = Math.max(1, Math.floor(maxWorkers) || 1);
  if (opts.workers !== undefined) {
    if (typeof opts.workers !== 'number' || !Number.isInteger(opts.workers) || opts.workers < 1) {
      fail(`'workers' must be a positive integer, got ${JSON.stringify(opts.workers)}`);
    }
    workers = opts.workers;
  }

  return { families, workers };
}
