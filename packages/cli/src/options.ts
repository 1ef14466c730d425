// Command-line arguments through Node's util.parseArgs, with one wording for every usage error:
// a usage error comes back as a string, never thrown.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FAMILIES, type Family } from '@epl/program';

/** The most worker threads `--workers` takes. */
export const MAX_WORKERS = 256;

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs said, as our usage error. */
function usageError(e: unknown): string {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  const name = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${name}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return /does not take/.test(message) ? `${name} takes no value` : `${name} takes a value`;
  return message;
}

/**
 * Reads `args` against `options` (strict: an unknown option is an error; positionals allowed; a
 * lone `-` is a file name). Returns parseArgs' result, or the usage error.
 */
export function readArgs<const O extends Options>(
  args: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>> | string {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    return usageError(e);
  }
}

/** A whole number in [lo, hi] from an option's value, or the usage error. */
export function whole(name: string, v: string | undefined, lo: number, hi: number): number | string {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isInteger(n) || n < lo || n > hi)
    return `${name} takes a whole number from ${lo} to ${hi} (got ${v ?? 'nothing'})`;
  return n;
}

/** A comma-separated list of families (`tcp,tcp6,unix`), deduplicated, or the usage error. */
export function familyList(name: string, v: string | undefined): Family[] | string {
  if (!v) return `${name} takes a list: ${FAMILIES.join(',')}`;
  const list = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.find((f) => !(FAMILIES as readonly string[]).includes(f));
  if (bad !== undefined || list.length === 0) return `unknown family '${bad ?? v}' (known: ${FAMILIES.join(', ')})`;
  return [...new Set(list)] as Family[];
}

/** The options every command that runs Programs takes. */
export const RUN_OPTIONS = {
  workers: { type: 'string' },
  family: { type: 'string' },
  families: { type: 'string' },
} as const;

/** `--workers N` and `--family LIST` (or `--families`), checked; or the usage error. */
export function runOptions(values: { workers?: string; family?: string; families?: string }): { workers?: number; families?: Family[] } | string {
  const out: { workers?: number; families?: Family[] } = {};
  if (values.workers !== undefined) {
    const n = whole('--workers', values.workers, 1, MAX_WORKERS);
    if (typeof n === 'string') return n;
    out.workers = n;
  }
  const fam = values.family ?? values.families;
  if (fam !== undefined) {
    const list = familyList('--family', fam);
    if (typeof list === 'string') return list;
    out.families = list;
  }
  return out;
}
