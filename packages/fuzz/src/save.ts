// Output of a campaign, all under one directory:
//   corpus/<index>.epl                          sequences that showed new signatures (printed)
//   findings/<oracle>/<index>-<kind>-<key>.epl  each distinct finding, shrunk and recorded
//   findings/<oracle>/<…>.json                  its sidecar: seed, index, key, lengths, replay check
//   behaviour/<index>-behaviour-<key>.epl       catalogued family differences (tcp vs unix), same shape
//   summary.json                                figures and every finding (no timings: same seed, same file)
// A saved finding is the compiler's print of the sequence, recorded by the runner (every
// step gets its `=>`/`~>`), then compiled back and run again until it passes: what
// `epl run FILE` does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Outcome } from '@epl/check';
import type { ResultView } from '@epl/executor';
import type { Family, Program } from '@epl/program';
import type { FindingRecord, Sink, Summary } from './campaign';
import type { Runner } from './runs';
import type { CorpusEntry } from './corpus';
import { seedHash } from './prng';
import type { Seq } from './seq';
import { seqLength, toProgram } from './seq';

/** The compiler's, checker's and reports' functions a saved finding goes through. */
export interface SaveTools {
  print(program: Program): string;
  compile(source: string, file: string): Program[];
  record(source: string, programs: readonly Program[], views: readonly ResultView[]): string;
  check(program: Program, view: ResultView): Outcome;
  failureTexts(program: Program, f: Outcome['failures'][number]): { readonly expected: string; readonly got: string };
}

/** @epl/compiler, @epl/check and @epl/report, loaded when first needed. */
export function defaultTools(): SaveTools {
  const compiler = require('@epl/compiler') as typeof import('@epl/compiler');
  const report = require('@epl/report') as typeof import('@epl/report');
  const { check } = require('@epl/check') as typeof import('@epl/check');
  return { print: compiler.print, compile: compiler.compile, record: report.record, check, failureTexts: report.failureTexts };
}

export interface FileSinkOptions {
  readonly dir: string;
  readonly seed: string;
  readonly runner: Runner;
  readonly tools?: SaveTools;
  /** Replays of a saved finding that must pass (default 3). */
  readonly verifyRuns?: number;
  /** Write corpus entries (default true). */
  readonly corpus?: boolean;
}

/** What was written for one finding. */
export interface SavedFinding {
  readonly index: number;
  readonly files: readonly string[];
  readonly verified: boolean;
  /** The finding's details as saved (the model's answer and reasons, the rules that part two families). */
  readonly details: readonly string[];
}

const pad = (i: number): string => String(i).padStart(8, '0');
const keyTag = (key: string): string => seedHash(key).toString(16).padStart(8, '0');

/**
 * Makes `dir` the output folder: an existing writable folder, or one created here. Undefined
 * when it is; otherwise why not, in one line. Each missing folder is made on its own, because
 * Node's recursive mkdir never returns on some paths (`/proc/x`); a probe file tells whether the
 * folder takes files, which its mode bits do not (a read-only mount, /proc).
 */
export function outDirProblem(dir: string): string | undefined {
  const why = (e: unknown): string => {
    const err = e as NodeJS.ErrnoException;
    return err.code ?? (e instanceof Error ? e.message : String(e));
  };
  const missing: string[] = [];
  for (let p = path.resolve(dir); ;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      // ENOTDIR: a file on the way, found as the walk goes up.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${dir}: cannot look at ${p} (${why(e)})`;
      missing.push(p);
      const parent = path.dirname(p);
      if (parent === p) return `${dir}: no such folder`;
      p = parent;
      continue;
    }
    if (!st.isDirectory()) return `${dir}: ${p} is not a folder`;
    break;
  }
  for (const m of missing.reverse()) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `${dir}: cannot create ${m} (${why(e)})`;
    }
  }
  const probe = path.join(dir, `.epl-fuzz-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
  } catch (e) {
    return `${dir}: cannot write files there (${why(e)})`;
  }
  return undefined;
}

export class FileSink implements Sink {
  readonly saved = new Map<FindingRecord, SavedFinding>();
  private tools: SaveTools | undefined;

  /** Throws when `o.dir` cannot be the output folder (see outDirProblem). */
  constructor(private readonly o: FileSinkOptions) {
    const problem = outDirProblem(o.dir);
    if (problem !== undefined) throw new Error(problem);
  }

  private t(): SaveTools {
    this.tools ??= this.o.tools ?? defaultTools();
    return this.tools;
  }

  /** The canonical text of a sequence, as the compiler prints it. */
  text(seq: Seq, file: string): string {
    return this.t().print(toProgram(seq, file, path.basename(file, '.epl')));
  }

  corpus(entry: CorpusEntry): void {
    if (this.o.corpus === false) return;
    const dir = path.join(this.o.dir, 'corpus');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${pad(entry.index)}.epl`);
    const head =
      `# epl fuzz corpus: seed ${this.o.seed}, sequence #${entry.index} (${entry.origin})\n` + `# new signatures: ${entry.newSignatures.join(' | ')}\n`;
    fs.writeFileSync(file, head + this.text(entry.seq, file));
  }

  async finding(rec: FindingRecord, runner: Runner = this.o.runner): Promise<void> {
    // The shrunk sequence and the finding as it shows it; if it did not show it again (a rare
    // flake), the sequence as found, whose step numbers the finding's message uses.
    const shrunk = rec.shrunk && rec.final ? rec.shrunk : undefined;
    const f = shrunk ? rec.final! : rec.finding;
    const seq = shrunk?.seq ?? rec.seq;
    const dir = path.join(this.o.dir, f.bug ? path.join('findings', f.oracle) : 'behaviour');
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, `${pad(rec.index)}-${f.kind}-${keyTag(rec.finding.key)}`);
    const files: string[] = [];
    let verified = true;
    const failures: string[] = [];
    // A flaky step keeps no expectation (it would fail at its rate); nor does anything after it.
    const uncheckedFrom = f.kind === 'flaky' ? f.step : Infinity;
    const families: Family[] = f.oracle === 'differential' ? [...f.families] : [f.families[0]];
    // One line each (a reason is one sentence; a stray newline would end the comment).
    const details = (f.details?.() ?? []).map((d) => d.replace(/\s*\n\s*/g, ' '));
    const seeIt = f.oracle === 'model' ? 'the model and the kernel see it' : 'the model sees it';
    for (const [k, family] of families.entries()) {
      const file = k === 0 ? `${base}.epl` : `${base}.${family}.epl`;
      const head = [
        `# epl fuzz: ${f.oracle} ${f.kind}${f.bug ? '' : ' (catalogued behaviour, not a defect)'}`,
        `# ${f.message}`,
        `# key: ${rec.finding.key}`,
        `# seed ${this.o.seed}, sequence #${rec.index} (${rec.origin}), ${shrunk ? `shrunk from ${shrunk.from} to ${shrunk.to} steps` : `${seqLength(seq)} steps, not shrunk`}`,
        ...(f.rate !== undefined ? [`# observed rate: ${(f.rate * 100).toFixed(0)}% of runs; steps from ${f.step + 1} on are left unchecked`] : []),
        ...(details.length ? [`# step ${f.step + 1} as ${seeIt}:`, ...details.map((d) => `#   ${d}`)] : []),
        `# recorded on ${family}; replay: epl run${family === 'tcp' ? '' : ` --family ${family}`} ${path.basename(file)}` +
          (details.length ? `; the model's account: epl explain${family === 'tcp' ? '' : ` --family ${family}`} ${path.basename(file)}` : ''),
        '',
      ].join('\n');
      const source = head + this.text(seq, file);
      const r = await this.recordAndVerify(runner, source, file, family, uncheckedFrom, f.step);
      fs.writeFileSync(file, r.text);
      files.push(file);
      if (!r.verified) verified = false;
      failures.push(...r.failures);
    }
    const side = {
      seed: this.o.seed,
      index: rec.index,
      origin: rec.origin,
      oracle: f.oracle,
      kind: f.kind,
      bug: f.bug,
      key: rec.finding.key,
      message: f.message,
      foundAs: rec.finding.message,
      step: f.step,
      families: f.families,
      ...(f.rate !== undefined ? { rate: f.rate } : {}),
      ...(details.length ? { details } : {}),
      length: { from: seqLength(rec.seq), to: seqLength(seq) },
      shrinkTests: rec.shrunk?.tests ?? 0,
      ...(rec.shrunk && !rec.final ? { note: 'the shrunk sequence did not show the finding again: saved as found' } : {}),
      verified,
      ...(failures.length ? { replayFailures: failures } : {}),
      files: files.map((x) => path.relative(this.o.dir, x)),
      original: this.text(rec.seq, `${base}.original.epl`),
    };
    fs.writeFileSync(`${base}.json`, JSON.stringify(side, null, 2) + '\n');
    this.saved.set(rec, { index: rec.index, files, verified, details });
  }

  /**
   * Record the source on `family`, drop expectations from `uncheckedFrom` on, and replay it
   * until it passes. An expectation that fails on replay at another step than the finding's
   * (a delayed ACK landing in another step, say) is dropped and the replay tried again; one
   * that fails at the finding's own step leaves the file unverified.
   */
  private async recordAndVerify(
    runner: Runner,
    source: string,
    file: string,
    family: Family,
    uncheckedFrom: number,
    focus: number,
  ): Promise<{ text: string; verified: boolean; failures: string[] }> {
    const t = this.t();
    const programs = t.compile(source, file);
    const results = await runner.runAll(programs, { family });
    const lostRun = results.find((r) => !r.view);
    if (lostRun) return { text: source, verified: false, failures: [String(lostRun.lost)] };
    let text = t.record(
      source,
      programs,
      results.map((r) => r.view!),
    );
    if (uncheckedFrom !== Infinity) text = stripExpectations(text, t.compile(text, file), (i) => (i >= uncheckedFrom ? 'both' : undefined));
    const runs = Math.max(1, this.o.verifyRuns ?? 3);
    const dropped = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      const replayed = t.compile(text, file);
      const batch: Program[] = [];
      for (let k = 0; k < runs; k++) batch.push(...replayed);
      const again = await runner.runAll(batch, { family });
      const failures: string[] = [];
      const cut = new Map<number, 'result' | 'wire' | 'both'>();
      let fatal = false;
      again.forEach((r, k) => {
        if (!r.view) {
          fatal = true;
          failures.push(String(r.lost));
          return;
        }
        const c = t.check(batch[k], r.view);
        if (c.status === 'passed') return;
        if (c.error !== undefined) fatal = true;
        failures.push(
          c.error ??
            c.failures
              .map((x) => {
                const { expected, got } = t.failureTexts(batch[k], x);
                return `step ${x.index + 1}: expected ${expected}, got ${got}`;
              })
              .join('; '),
        );
        for (const x of c.failures) {
          if (x.index === focus) fatal = true;
          const had = cut.get(x.index);
          cut.set(x.index, had && had !== x.kind ? 'both' : x.kind);
          dropped.add(`${x.index + 1} ${x.kind}`);
        }
      });
      if (!failures.length) {
        const note = dropped.size ? `# left unchecked (they varied on replay): ${[...dropped].map((d) => `step ${d}`).join(', ')}\n` : '';
        return { text: note + text, verified: true, failures: [] };
      }
      if (fatal || attempt >= 3) return { text, verified: false, failures: [...new Set(failures)] };
      text = stripExpectations(text, replayed, (i) => cut.get(i));
    }
  }

  /** summary.json: the figures that do not depend on timing, and every finding with its files. */
  writeSummary(s: Summary, options: Record<string, unknown>): string {
    const file = path.join(this.o.dir, 'summary.json');
    const out = {
      seed: s.seed,
      options,
      sequences: s.sequences,
      signatures: s.signatures,
      corpus: s.corpus,
      findings: s.findings,
      behaviours: s.behaviours,
      leakWindows: s.leakWindows,
      shrinkRatio: Number.isNaN(s.shrinkRatio) ? null : s.shrinkRatio,
      records: s.records.map((r) => ({
        index: r.index,
        oracle: r.finding.oracle,
        kind: r.finding.kind,
        key: r.finding.key,
        occurrences: r.occurrences,
        length: { from: seqLength(r.seq), to: r.shrunk && r.final ? r.shrunk.to : seqLength(r.seq) },
        files: (this.saved.get(r)?.files ?? []).map((x) => path.relative(this.o.dir, x)),
        verified: this.saved.get(r)?.verified ?? false,
        ...(this.saved.get(r)?.details.length ? { details: this.saved.get(r)!.details } : {}),
      })),
    };
    fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
    return file;
  }
}

/**
 * The text without some expectations: `which(i)` says, for step i, whether to drop its `=>`
 * (`result`), its `~>` (`wire`) or both. Spans come from the text compiled.
 */
export function stripExpectations(text: string, programs: readonly Program[], which: (step: number) => 'result' | 'wire' | 'both' | undefined): string {
  const cuts: [number, number][] = [];
  for (const p of programs) {
    p.steps.forEach((st, i) => {
      const w = which(i);
      if (!w) return;
      if (w !== 'wire' && st.expectSpan) cuts.push([st.expectSpan.offset, st.expectSpan.end]);
      if (w !== 'result' && st.wireSpan) cuts.push([st.wireSpan.offset, st.wireSpan.end]);
    });
  }
  // Each cut also takes the blanks before it, so `read 5 1 => "a"` becomes `read 5 1`.
  const uniq = [...new Map(cuts.map((c) => [c[0], c])).values()].sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [s, e] of uniq) {
    let start = s;
    while (start > 0 && (out[start - 1] === ' ' || out[start - 1] === '\t')) start--;
    out = out.slice(0, start) + out.slice(e);
  }
  return out;
}
