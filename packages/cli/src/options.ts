// Reads a command's arguments one at a time, `--name value` or `--name=value`, with one
// wording for every usage error (a usage error is returned as a string, never thrown).
import { FAMILIES, type Family } from '@epl/program';

/** The most worker threads `--workers` takes. */
export const MAX_WORKERS = 256;

export class OptionReader {
  private i = -1;
  private inline: string | undefined;
  /** The current argument as given. */
  arg = '';
  /** The option's name without an inline `=value`; the argument itself when not an option. */
  name = '';

  constructor(private readonly args: readonly string[]) {}

  /** Moves to the next argument; false past the last. */
  next(): boolean {
    if (++this.i >= this.args.length) return false;
    this.arg = this.args[this.i];
    const eq = this.arg.startsWith('--') ? this.arg.indexOf('=') : -1;
    this.name = eq >= 0 ? this.arg.slice(0, eq) : this.arg;
    this.inline = eq >= 0 ? this.arg.slice(eq + 1) : undefined;
    return true;
  }

  /** The current option's value: inline, or the next argument (consumed). */
  value(): string | undefined {
    return this.inline ?? this.args[++this.i];
  }

  /** A whole number in [lo, hi], or the usage error. */
  whole(lo: number, hi: number): number | string {
    const v = this.value();
    const n = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isInteger(n) || n < lo || n > hi) {
      return `${this.name} takes a whole number from ${lo} to ${hi} (got ${v ?? 'nothing'})`;
    }
    return n;
  }

  /** A comma-separated list of families (`tcp,tcp6,unix`), deduplicated, or the usage error. */
  families(): Family[] | string {
    const v = this.value();
    if (!v) return `${this.name} takes a list: ${FAMILIES.join(',')}`;
    const list = v
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const bad = list.find((f) => !(FAMILIES as readonly string[]).includes(f));
    if (bad !== undefined || list.length === 0) return `unknown family '${bad ?? v}' (known: ${FAMILIES.join(', ')})`;
    return [...new Set(list)] as Family[];
  }

  /**
   * The options every command that runs Programs takes (`--workers N`, `--family LIST`): sets
   * them on `out` and returns true, returns the usage error, or false for any other argument.
   */
  common(out: { workers?: number; families?: Family[] }): boolean | string {
    switch (this.name) {
      case '--workers': {
        const n = this.whole(1, MAX_WORKERS);
        if (typeof n === 'string') return n;
        out.workers = n;
        return true;
      }
      case '--family':
      case '--families': {
        const list = this.families();
        if (typeof list === 'string') return list;
        out.families = list;
        return true;
      }
      default:
        return false;
    }
  }

  /** True when the current argument looks like an option (a lone `-` is a file name). */
  isOption(): boolean {
    return this.arg.startsWith('-') && this.arg !== '-';
  }
}
