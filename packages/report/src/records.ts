// The input of every renderer: the JSON records `epl run --json` prints, one per scenario ×
// family (packages/runner/README.md, "JSON records"). Declared here rather than imported so that
// records from other machines, older runs or other tools can be read without @epl/runner; a test
// proves that @epl/runner's AnyScenarioRecord is one of these.

/** One TCP segment of a step, tcpdump-style flags (`S`, `S.`, `.`, `P.`, `F.`, `R`). */
export interface SegmentRecord {
  readonly src: string;
  readonly dst: string;
  readonly flags: string;
  readonly len: number;
}

/** One step of a scenario record. */
export interface AnyStepRecord {
  readonly line: number;
  readonly col: number;
  /** The statement as written, keyword to last operand. */
  readonly op: string;
  /** The statement belongs to the file's setup (absent in records older than the field). */
  readonly setup?: boolean;
  /** The return value, or the errno name. */
  readonly result: number | string;
  /** Real descriptors bound by the step, by name. */
  readonly fds?: Readonly<Record<string, number>>;
  readonly bytes?: string;
  /** `wait`: the ready list as epoll returned it, flags as `IN|OUT`. */
  readonly ready?: readonly { readonly name: string; readonly events: string }[];
  /** The step's segments, present only when the wire was captured. */
  readonly wire?: readonly SegmentRecord[];
  /** What came, in EPL syntax. */
  readonly got: string;
  readonly expect?: string;
  readonly wireExpect?: string;
  /** A `~>` that could not be checked (the wire was not captured). */
  readonly wireChecked?: boolean;
  readonly pass: boolean;
  /** The model's reasons for the step, one sentence each (`epl explain`'s records). */
  readonly why?: readonly string[];
}

/** One scenario run with one family on one kernel: one line of `epl run --json`. */
export interface AnyScenarioRecord {
  readonly file: string;
  readonly title: string;
  readonly family: string;
  readonly kernel: string;
  readonly netns?: boolean;
  readonly wire: { readonly captured: boolean; readonly reason?: string };
  readonly pass: boolean;
  readonly attempts?: number;
  readonly flaky?: { readonly attempts: number; readonly firstFailure: string };
  readonly error?: string;
  /** The Program's names in slot order (absent in records older than the field). */
  readonly names?: readonly string[];
  /**
   * Whose answers the steps' `expect` and `wireExpect` are: absent for the file's own `=>` and
   * `~>`; `model` in `epl explain`'s records, where a step passes when model and kernel agree.
   */
  readonly oracle?: 'model';
  readonly steps: readonly AnyStepRecord[];
}

/** Source texts by file name, as the records name the file: lets a report quote the lines as written. */
export type Sources = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export function sourceOf(sources: Sources | undefined, file: string): string | undefined {
  if (sources === undefined) return undefined;
  if (sources instanceof Map) return (sources as ReadonlyMap<string, string>).get(file);
  return Object.prototype.hasOwnProperty.call(sources, file) ? (sources as Readonly<Record<string, string>>)[file] : undefined;
}
