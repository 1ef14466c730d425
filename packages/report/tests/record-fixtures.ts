// Real records: the founding scenarios run on this kernel through @epl/runner, as `epl run
// --json` would print them, and a copy of the file with two expectations made wrong.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFiles } from '@epl/runner';
import { toRecord } from '../src/json';
import type { AnyScenarioRecord, AnyStepRecord } from '../src/records';

export const REPO = path.resolve(__dirname, '../../..');
export const FOUNDING = 'scenarios/founding/founding.epl';
export const FAMILIES = ['tcp', 'tcp6', 'unix'] as const;

export interface Run {
  readonly records: AnyScenarioRecord[];
  readonly sources: Map<string, string>;
}

/** Runs files (paths from the repo root) on the kernel and gives their records, files named from the repo root. */
export async function run(files: readonly string[], opts: { retries?: number; root?: string } = {}): Promise<Run> {
  const root = opts.root ?? REPO;
  const reports = [];
  for await (const f of runFiles(
    files.map((f) => path.join(root, f)),
    { families: [...FAMILIES], retries: opts.retries ?? 0, keep: 'all' },
  ))
    reports.push(f);
  const records: AnyScenarioRecord[] = [];
  const sources = new Map<string, string>();
  for (const f of reports) {
    const file = path.relative(root, f.file);
    if (f.source !== undefined) sources.set(file, f.source);
    for (const s of f.scenarios) records.push({ ...toRecord(s, f.source), file });
  }
  return { records, sources };
}

/** The founding file as it is (retried like the corpus: a delayed ACK can land in a step). */
export function founding(): Promise<Run> {
  return run([FOUNDING], { retries: 2 });
}

/** The edits that make the failing copy fail: a `wait` missing flags, a FIN from the wrong side. */
export const BREAKS: readonly (readonly [string, string])[] = [
  [
    'wait                          => 5: IN|OUT|RDHUP, 6: OUT    # the peer cannot tell',
    'wait                          => 5: OUT, 6: IN|OUT    # the peer cannot tell',
  ],
  ['close 5                       => 0  ~> 5 > 6 F.             # the FIN leaves from 5 (A), not 6', 'close 5                       => 0  ~> 6 > 5 F.'],
];

/** A copy of the founding file with BREAKS applied, run for real: scenario 1 fails twice. */
export async function failingCopy(): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-report-'));
  try {
    let text = fs.readFileSync(path.join(REPO, FOUNDING), 'utf8');
    for (const [from, to] of BREAKS) {
      if (!text.includes(from)) throw new Error(`founding.epl changed: no line "${from}"`);
      text = text.replace(from, to);
    }
    fs.mkdirSync(path.join(dir, 'scenarios/founding'), { recursive: true });
    fs.writeFileSync(path.join(dir, FOUNDING), text);
    return await run([FOUNDING], { root: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The records plus a copy as if another kernel had answered: its first `wait` of each scenario reports `5: OUT` only (and fails if it was checked). */
export function withOtherKernel(records: readonly AnyScenarioRecord[], kernel: string): AnyScenarioRecord[] {
  return [
    ...records,
    ...records.map((r) => {
      const first = r.steps.findIndex((s) => !s.setup && s.ready !== undefined);
      const steps = r.steps.map((s, i) => (i === first ? { ...s, ready: [{ name: '5', events: 'OUT' }], got: '5: OUT', pass: s.expect === undefined } : s));
      return { ...r, kernel, pass: r.pass && steps.every((s) => s.pass), steps };
    }),
  ];
}

/** A step record with the fields every record has; `over` sets the rest. */
export function step(op: string, line: number, over: Partial<AnyStepRecord> = {}): AnyStepRecord {
  return { line, col: 1, op, setup: false, result: 0, fds: {}, wire: [], got: '0', pass: true, ...over };
}

/**
 * A small record by hand, shaped as `epl run --json` prints one: a TCP pair and its epoll set in the
 * setup, then a shutdown, a wait and a write with their wire.
 */
export function sample(over: Partial<AnyScenarioRecord> = {}): AnyScenarioRecord {
  return {
    file: 'a.epl',
    title: 'shutdown WR',
    family: 'tcp',
    kernel: '6.18.44',
    netns: true,
    wire: { captured: true },
    pass: true,
    attempts: 1,
    names: ['5', '6', '3'],
    steps: [
      step('tcp 5 6', 1, {
        setup: true,
        fds: { '5': 20, '6': 21 },
        got: 'ok',
        expect: 'ok',
        wire: [
          { src: '5', dst: '6', flags: 'S', len: 0 },
          { src: '6', dst: '5', flags: 'S.', len: 0 },
          { src: '5', dst: '6', flags: '.', len: 0 },
        ],
      }),
      step('epoll 3', 2, { setup: true, fds: { '3': 19 }, got: 'ok' }),
      step('add 3 5 IN|OUT|RDHUP', 3, { setup: true }),
      step('add 3 6 IN|OUT|RDHUP', 4, { setup: true }),
      step('shutdown 5 WR', 7, { col: 3, expect: '0', wireExpect: '5 > 6 F.', wire: [{ src: '5', dst: '6', flags: 'F.', len: 0 }] }),
      step('wait', 8, {
        col: 3,
        result: 2,
        ready: [
          { name: '5', events: 'OUT' },
          { name: '6', events: 'IN|OUT|RDHUP' },
        ],
        got: '5: OUT, 6: IN|OUT|RDHUP',
        expect: '6: IN|OUT|RDHUP, 5: OUT',
      }),
      step('write 5 "a"', 9, { col: 3, result: 'EPIPE', got: 'EPIPE', expect: 'EPIPE', wireExpect: 'none' }),
    ],
    ...over,
  };
}

/** `sample()` with its wait and its shutdown's wire failing. */
export function sampleFailing(): AnyScenarioRecord {
  const r = sample();
  const steps = r.steps.map((s) =>
    s.op === 'wait'
      ? { ...s, expect: '5: IN|OUT, 6: IN|OUT|RDHUP', pass: false }
      : s.op === 'shutdown 5 WR'
        ? { ...s, wireExpect: '5 > 6 F., 6 > 5 .', pass: false }
        : s,
  );
  return { ...r, pass: false, steps };
}
