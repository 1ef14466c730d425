// What the last run of each document observed, step by step: the one place where the server
// runs a document (the `epl.runFile` command) and where hover and diagnostics read the results.
// A run goes through @epl/runner's runFiles, on a copy of the text in a temporary folder (the
// document may be unsaved), under the document's own file name (a file without blocks is one
// scenario titled after it). The runner is loaded on the first run only: the server starts
// without the native addon.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileResult, ScenarioRun } from '@epl/runner';

/** What running a document takes: the file orchestrator, the verdicts and the texts of reports. */
interface Runner {
  readonly runner: typeof import('@epl/runner');
  readonly check: typeof import('@epl/check');
  readonly report: typeof import('@epl/report');
}

/** What one step of one scenario did on the kernel. */
export interface StepObservation {
  /** The scenario's title. */
  readonly scenario: string;
  /** The call and its result as the transcript prints them: `shutdown(5, SHUT_RD)`, `0`. */
  readonly call: string;
  readonly ret: string;
  /** The result in EPL syntax, as `epl record` writes it after `=>`. */
  readonly got: string;
  /** The segments in EPL syntax (`~>`), when the wire was captured. */
  readonly wire?: string;
  /** None of the step's expectations failed. */
  readonly pass: boolean;
}

/** A failed expectation, where its `=>` or `~>` is (0-based line, UTF-16 columns). */
export interface RunFailure {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

export interface RunSummary {
  readonly scenarios: number;
  readonly passed: number;
  /** The file did not compile: the located message. */
  readonly error?: string;
  /** Release of the kernel that answered. */
  readonly kernel?: string;
  /** Why the wire was not captured (absent when it was, or when nothing ran). */
  readonly wireNotCaptured?: string;
  readonly failures: readonly RunFailure[];
}

interface DocumentRun {
  /** The document version the run was made on. */
  readonly version: number;
  readonly summary: RunSummary;
  /** Observations by `line:col:statement text` (the step's span, 1-based). */
  readonly steps: ReadonlyMap<string, readonly StepObservation[]>;
}

/** Loads @epl/runner (and the packages it works with): beside the server, else from the folders given (a document's project). */
export function loadRunner(from: readonly string[]): Runner {
  const load = (name: string): unknown => {
    try {
      return require(name);
    } catch {
      // Not installed beside the server (a bundled server, in an editor extension): the
      // document's own project may have it.
    }
    let found: string;
    try {
      found = require.resolve(name, { paths: [...from] });
    } catch {
      throw new Error(`running needs ${name} (part of epl), installed neither beside the language server nor in a project above ${from.join(', ')}`);
    }
    return require(found);
  };
  return { runner: load('@epl/runner') as Runner['runner'], check: load('@epl/check') as Runner['check'], report: load('@epl/report') as Runner['report'] };
}

export class RunCache {
  private readonly runs = new Map<string, DocumentRun>();

  /** `runner` finds @epl/runner for a document at a path (default: loadRunner from its folder). */
  constructor(private readonly runner: (documentPath: string) => Runner = (p) => loadRunner([path.dirname(p)])) {}

  /** Runs a document's text (version `version`) and keeps what each step did. `documentPath` names it. */
  async run(uri: string, documentPath: string, version: number, text: string): Promise<RunSummary> {
    const runner = this.runner(documentPath);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-ls-'));
    const file = path.join(dir, path.basename(documentPath));
    try {
      fs.writeFileSync(file, text);
      let report: FileResult | undefined;
      for await (const f of runner.runner.runFiles([file], { keep: 'all' })) report = f;
      if (!report) throw new Error(`${documentPath}: nothing ran`);
      const run = observe(runner, report, file, documentPath);
      this.runs.set(uri, { ...run, version });
      return run.summary;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** What the last run saw at the statement starting at (0-based) `line`/`character` with this text. */
  observations(uri: string, line: number, character: number, statement: string): readonly StepObservation[] {
    return this.runs.get(uri)?.steps.get(`${line + 1}:${character + 1}:${statement}`) ?? [];
  }

  /** The last run's failed expectations, if it was made on this version of the document. */
  failures(uri: string, version: number): readonly RunFailure[] {
    const run = this.runs.get(uri);
    return run?.version === version ? run.summary.failures : [];
  }

  forget(uri: string): void {
    this.runs.delete(uri);
  }
}

function observe({ check, report: text }: Runner, report: FileResult, file: string, documentPath: string): Omit<DocumentRun, 'version'> {
  const steps = new Map<string, StepObservation[]>();
  const failures: RunFailure[] = [];
  const source = report.source ?? '';
  let kernel: string | undefined;
  let wireNotCaptured: string | undefined;
  for (const s of report.scenarios) {
    const { program, view } = s;
    if (view) {
      kernel = view.kernel;
      if (!view.captured) wireNotCaptured = view.captureReason ?? 'not captured';
      for (let i = 0; i < view.stepCount; i++) {
        const step = program.steps[i];
        const r = view.step(i);
        const [call, ret] = text.describeStep(program, i, r, view.family);
        const verdict = check.stepVerdicts(program, s.outcome, i);
        const observation: StepObservation = {
          scenario: program.title,
          call,
          ret,
          got: text.observedResult(program, i, r, step.expect),
          ...(view.captured ? { wire: text.observedWire(program, r) } : {}),
          pass: verdict.result !== 'fail' && verdict.wire !== 'fail',
        };
        const key = `${step.span.line}:${step.span.col}:${source.slice(step.span.offset, step.span.end)}`;
        steps.set(key, [...(steps.get(key) ?? []), observation]);
      }
    }
    failures.push(...failuresOf(text, s));
  }
  const error = report.error?.message.split(file).join(documentPath);
  const summary: RunSummary = {
    scenarios: report.scenarios.length,
    passed: report.scenarios.filter((s) => s.outcome.status === 'passed').length,
    ...(error !== undefined ? { error } : {}),
    ...(kernel !== undefined ? { kernel } : {}),
    ...(wireNotCaptured !== undefined ? { wireNotCaptured } : {}),
    failures,
  };
  return { summary, steps };
}

function failuresOf(text: Runner['report'], s: ScenarioRun): RunFailure[] {
  const out: RunFailure[] = s.outcome.failures.map((f) => {
    const step = s.program.steps[f.index];
    const span = (f.kind === 'wire' ? step.wireSpan : step.expectSpan) ?? step.span;
    const arrow = f.kind === 'wire' ? '~>' : '=>';
    const { expected, got } = text.failureTexts(s.program, f);
    return {
      line: span.line - 1,
      start: span.col - 1,
      end: span.col - 1 + (span.end - span.offset),
      message: `scenario "${s.program.title}": expected ${arrow} ${expected}, got ${arrow} ${got}`,
    };
  });
  const o = s.outcome;
  if (o.status === 'errored' || o.status === 'lost') {
    const first = s.program.steps[Math.min(o.ran, s.program.steps.length - 1)]?.span;
    if (first)
      out.push({
        line: first.line - 1,
        start: first.col - 1,
        end: first.col - 1 + (first.end - first.offset),
        message: `scenario "${s.program.title}": ${String(o.error)}`,
      });
  }
  return out;
}
