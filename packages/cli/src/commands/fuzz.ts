// `epl fuzz`: random valid sequences through the pool, judged by the oracles; findings are
// shrunk and saved as recorded .epl files (packages/fuzz/README.md).
import { randomBytes } from 'node:crypto';
import type { Family } from '@epl/program';
import type { Stats, Summary } from '@epl/fuzz';
import type { Command, Io } from '../command';
import { EXIT } from '../command';
import { clearLine } from '../colour';
import { RUN_OPTIONS, readArgs, runOptions, whole } from '../options';

/** Where findings go unless --out says otherwise. */
const DEFAULT_OUT = 'fuzz-out';

const usage = `usage: epl fuzz [options]

Generates random valid sequences of fd operations, runs them against the kernel in big
batches on isolated workers, and checks them with the oracles: robustness (no error, crash,
hang), determinism (re-runs agree; a varying step is reported as flaky with its rate), the
family differential (tcp and tcp6 must agree; tcp vs unix differences are catalogued, each
with the rules of the model that part them) and the model (a result, ready list or segment
the model of the kernel's semantics did not predict; timing-dependent segments excluded).
Sequences that show new behaviour signatures join a corpus and are mutated further. Every
finding is shrunk and saved as a recorded .epl that \`epl run\` replays.

options:
  --seed S         seed of the campaign (default: random, printed); same seed and count,
                   same sequences and files (as long as the kernel answers the same)
  --count N        sequences to run (default 10000)
  --time SEC       run for SEC seconds instead of a count
  --length L       ops per generated sequence (default 30)
  --family LIST    families, first one runs every sequence (default tcp,tcp6,unix)
  --workers N      worker threads (default: one per core)
  --out DIR        output folder (default fuzz-out): corpus/, findings/, behaviour/, summary.json
  --no-shrink      save findings as found, without shrinking them
  --no-corpus      do not write corpus entries to the output folder
  --no-model       leave the model out: no model oracle, no rules in the catalogue

exit status: 0 when the campaign ran (findings or not), 1 when the fuzzer itself failed,
2 usage errors.
`;

export interface FuzzArgs {
  seed?: string;
  count?: number;
  timeSec?: number;
  length?: number;
  families?: Family[];
  workers?: number;
  out: string;
  shrink: boolean;
  corpus: boolean;
  model: boolean;
}

/** Parses `epl fuzz` arguments; a string is a usage error. */
export function parseFuzzArgs(args: readonly string[]): FuzzArgs | string {
  const r = readArgs(args, {
    ...RUN_OPTIONS,
    seed: { type: 'string' },
    count: { type: 'string' },
    time: { type: 'string' },
    length: { type: 'string' },
    out: { type: 'string' },
    'no-shrink': { type: 'boolean' },
    'no-corpus': { type: 'boolean' },
    'no-model': { type: 'boolean' },
  });
  if (typeof r === 'string') return r;
  if (r.positionals.length > 0) return `unknown argument '${r.positionals[0]}'`;
  const v = r.values;
  const common = runOptions(v);
  if (typeof common === 'string') return common;
  const out: FuzzArgs = { out: DEFAULT_OUT, shrink: v['no-shrink'] !== true, corpus: v['no-corpus'] !== true, model: v['no-model'] !== true, ...common };
  if (v.seed !== undefined) {
    if (!v.seed) return '--seed takes a value';
    out.seed = v.seed;
  }
  if (v.count !== undefined) {
    const n = whole('--count', v.count, 1, 1e9);
    if (typeof n === 'string') return n;
    out.count = n;
  }
  if (v.time !== undefined) {
    const n = Number(v.time);
    if (v.time === '' || !Number.isFinite(n) || n <= 0) return `--time takes a number of seconds (got ${v.time})`;
    out.timeSec = n;
  }
  if (v.length !== undefined) {
    const n = whole('--length', v.length, 1, 4000);
    if (typeof n === 'string') return n;
    out.length = n;
  }
  if (v.out !== undefined) {
    if (!v.out) return '--out takes a folder';
    out.out = v.out;
  }
  if (out.count !== undefined && out.timeSec !== undefined) return '--count and --time exclude each other';
  return out;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The figures, one line: what the progress line and the summary both show. */
export function figures(s: Stats): string {
  const secs = Math.max(s.fuzzMs, 1) / 1000;
  const per = Object.entries(s.findings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `${int(s.sequences)} sequences (${int(s.sequences / secs)}/s), ${int(s.ops)} ops (${int(s.ops / secs)}/s), ` +
    `${int(s.signatures)} signatures, corpus ${int(s.corpus)}, findings: ${per}, behaviour ${s.behaviours}` +
    (s.shrinksPending ? `, shrinking ${s.shrinksPending}` : '')
  );
}

export function summaryText(s: Summary, out: string, saved: ReadonlyMap<unknown, { files: readonly string[]; verified: boolean }>): string {
  const lines = [`epl fuzz: seed ${s.seed}: ${figures(s)}`];
  const secs = (s.fuzzMs / 1000).toFixed(1);
  lines.push(
    `  ${secs} s fuzzing, ${(s.elapsedMs / 1000).toFixed(1)} s in all; ${int(s.runs)} runs; ${int(s.mutants)} mutants; ` +
      `shrunk ${s.shrunk} (mean length ratio ${Number.isNaN(s.shrinkRatio) ? '-' : s.shrinkRatio.toFixed(2)}, ${int(s.shrinkRuns)} runs)`,
  );
  for (const w of s.leakWindows) {
    lines.push(
      `  robustness leak: worker ${w.tid} went from ${w.before} to ${w.after} descriptors over sequences #${w.from}-#${w.to - 1} (no single one did it again)`,
    );
  }
  // Defects one by one; catalogued behaviour (often hundreds) as a count: summary.json lists it.
  for (const r of s.records) {
    const f = r.final ?? r.finding;
    if (!f.bug) continue;
    const sv = saved.get(r);
    const len = r.shrunk ? ` ${r.shrunk.from}->${r.shrunk.to} steps` : '';
    lines.push(`  ${f.oracle} ${f.kind} x${r.occurrences}${len}${sv && !sv.verified ? ' (replay did not pass)' : ''}: ${f.message}`);
    lines.push(`    ${sv?.files[0] ?? '(not saved)'}`);
  }
  const behaviour = s.records.filter((r) => !r.finding.bug);
  if (behaviour.length) {
    const sample = behaviour.slice(0, 3).map((r) => `    ${(r.final ?? r.finding).message}`);
    lines.push(
      `  ${behaviour.length} catalogued behaviour difference${behaviour.length === 1 ? '' : 's'} between families, in ${out}/behaviour/; the first:`,
      ...sample,
    );
  }
  lines.push(`output: ${out}`);
  return lines.join('\n') + '\n';
}

export const command: Command = {
  summary: 'generate random fd sequences, check them with oracles, shrink and save findings',
  usage,
  async run(args: string[], io: Io): Promise<number> {
    const parsed = parseFuzzArgs(args);
    if (typeof parsed === 'string') {
      io.stderr.write(`epl fuzz: ${parsed}\n${usage.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    // Loaded here, not at the top: `epl --help` must not load the pool.
    const fuzz = require('@epl/fuzz') as typeof import('@epl/fuzz');
    // Before any worker starts: an output folder that cannot be is a usage error, found at once.
    const outProblem = fuzz.outDirProblem(parsed.out);
    if (outProblem !== undefined) {
      io.stderr.write(`epl fuzz: --out ${outProblem}\n`);
      return EXIT.usage;
    }
    const { Pool } = require('@epl/pool') as typeof import('@epl/pool');
    const seed = parsed.seed ?? randomBytes(4).readUInt32BE(0).toString();
    const pool = new Pool({ workers: parsed.workers });
    const clear = clearLine(io.stderr);
    try {
      const iso = await pool.isolation();
      if (!iso.files) {
        io.stderr.write(`epl fuzz: the workers could not run Programs in isolation: ${iso.reason ?? 'no private descriptor table'}\n`);
        return EXIT.failed;
      }
      if (!iso.wire.captured)
        io.stderr.write(`epl fuzz: wire not captured (${iso.wire.reason ?? 'unknown reason'}): wire signatures and comparisons are left out\n`);
      const runner = fuzz.onPool(pool);
      const sink = new fuzz.FileSink({ dir: parsed.out, seed, runner, corpus: parsed.corpus });
      io.stderr.write(`epl fuzz: seed ${seed}, ${pool.workers} worker${pool.workers === 1 ? '' : 's'}, output ${parsed.out}\n`);
      const campaign = new fuzz.Campaign(runner, {
        seed,
        count: parsed.count ?? (parsed.timeSec === undefined ? 10000 : undefined),
        timeSec: parsed.timeSec,
        length: parsed.length,
        families: parsed.families,
        shrink: parsed.shrink,
        model: parsed.model,
        sink,
        // The pool's workers run in this process: their descriptor tables are readable in /proc.
        fdCounts: fuzz.isolatedFdCounts,
        onProgress: clear ? (s) => io.stderr.write(`${clear}${figures(s)}`) : undefined,
        progressMs: 250,
      });
      let summary: Summary;
      try {
        summary = await campaign.run();
      } finally {
        if (clear) io.stderr.write(clear);
      }
      sink.writeSummary(summary, {
        count: parsed.count,
        timeSec: parsed.timeSec,
        length: parsed.length ?? fuzz.DEFAULT_LENGTH,
        families: parsed.families ?? ['tcp', 'tcp6', 'unix'],
        shrink: parsed.shrink,
        model: parsed.model,
      });
      io.stdout.write(summaryText(summary, parsed.out, sink.saved));
      return EXIT.ok;
    } catch (e) {
      io.stderr.write(`epl fuzz: the fuzzer failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return EXIT.failed;
    } finally {
      await pool.close();
    }
  },
};
