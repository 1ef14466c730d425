// `--html OUT`, `--junit OUT`, `--tap OUT` on the commands that run files (run, record, explain):
// the JSON records of the run, rendered by @epl/report once the run is over and written to
// files. A file that cannot be written is one line on stderr and exit 74.
import { promises as fs } from 'node:fs';
import type { AnyScenarioRecord } from '@epl/report';
import type { Io } from './command';
import { EXIT, describeWriteError } from './command';

/** The options, for readArgs. */
export const REPORT_OPTIONS = {
  html: { type: 'string' },
  junit: { type: 'string' },
  tap: { type: 'string' },
} as const;

/** Usage lines of the options, for each command's help. */
export const REPORT_USAGE = `  --html FILE        also write the run as one self-contained HTML page (timelines, wire)
  --junit FILE       also write JUnit XML (a testcase per scenario and family) for CI
  --tap FILE         also write TAP version 13`;

export interface ReportPaths {
  readonly html?: string;
  readonly junit?: string;
  readonly tap?: string;
}

/** The paths given, checked (a path must not be empty); or the usage error. */
export function reportPaths(values: { html?: string; junit?: string; tap?: string }): ReportPaths | string {
  const out: { html?: string; junit?: string; tap?: string } = {};
  for (const kind of ['html', 'junit', 'tap'] as const) {
    const v = values[kind];
    if (v === undefined) continue;
    if (v === '') return `--${kind} takes a file`;
    out[kind] = v;
  }
  return out;
}

export function wantsReports(p: ReportPaths | undefined): boolean {
  return p !== undefined && (p.html !== undefined || p.junit !== undefined || p.tap !== undefined);
}

/** Collects the records of a run and writes the reports asked for at its end. */
export class Reports {
  private readonly records: AnyScenarioRecord[] = [];
  private readonly sources = new Map<string, string>();

  constructor(
    private readonly paths: ReportPaths,
    /** The HTML page's title: the command as typed. */
    private readonly title: string,
  ) {}

  /** The records of one file, and its source (for the statements' comments and lines in the page). */
  add(records: readonly AnyScenarioRecord[], file: string, source: string | undefined): void {
    this.records.push(...records);
    if (source !== undefined) this.sources.set(file, source);
  }

  /** Writes every report asked for; undefined when all were written, else EXIT.output after one line on stderr. */
  async write(io: Io, command: string): Promise<number | undefined> {
    const report = require('@epl/report') as typeof import('@epl/report');
    const texts: [string | undefined, () => string][] = [
      [this.paths.html, () => report.renderHtml(this.records, { title: this.title, sources: this.sources })],
      [this.paths.junit, () => report.renderJunit(this.records, { name: this.title })],
      [this.paths.tap, () => report.renderTap(this.records)],
    ];
    for (const [file, render] of texts) {
      if (file === undefined) continue;
      try {
        await fs.writeFile(file, render());
      } catch (e) {
        io.stderr.write(`epl ${command}: cannot write ${file}: ${describeWriteError(e as NodeJS.ErrnoException)}\n`);
        return EXIT.output;
      }
    }
    return undefined;
  }
}
