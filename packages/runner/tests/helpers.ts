// Hand-made Programs and RunResults for the unit tests (no compiler, no kernel).
import { EPOLL_FLAGS, ProgramBuilder, locate } from '@epl/program';
import type { Family, Program, RunResult, Span, StepResult } from '@epl/program';

export const IN = EPOLL_FLAGS.IN;
export const OUT = EPOLL_FLAGS.OUT;
export const ERR = EPOLL_FLAGS.ERR;
export const HUP = EPOLL_FLAGS.HUP;
export const RDHUP = EPOLL_FLAGS.RDHUP;
export const ALL = IN | OUT | ERR | HUP | RDHUP;
/** TCP flag bits. */
export const F = 0x01;
export const S = 0x02;
export const R = 0x04;
export const P = 0x08;
export const A = 0x10;

/** The span of the `nth` occurrence of `text` in `source`. */
export function spanOf(source: string, text: string, nth = 0): Span {
  let from = -1;
  for (let k = 0; k <= nth; k++) {
    from = source.indexOf(text, from + 1);
    if (from < 0) throw new Error(`'${text}' (#${nth}) not in source`);
  }
  const { line, col } = locate(source, from);
  return { line, col, offset: from, end: from + text.length };
}

/**
 * A Program over `source`: each op names its statement text, and the whole step text
 * (statement and expectations) when it has expectations; both are found in the source in
 * order, after the previous op, so spans and ends are real offsets.
 */
export class SourceProgram {
  readonly b: ProgramBuilder;
  private cursor = 0;
  constructor(
    private readonly source: string,
    file = 'test.epl',
    title = 'test',
    index = 0,
  ) {
    this.b = new ProgramBuilder(file, title, index);
  }

  op(
    name: Parameters<ProgramBuilder['op']>[0],
    operands: Parameters<ProgramBuilder['op']>[1],
    statement: string,
    extra: { whole?: string; setup?: boolean; expect?: Program['steps'][number]['expect']; wire?: Program['steps'][number]['wire'] } = {},
  ): this {
    const whole = extra.whole ?? statement;
    if (!whole.startsWith(statement)) throw new Error(`'${whole}' does not start with '${statement}'`);
    const from = this.source.indexOf(whole, this.cursor);
    if (from < 0) throw new Error(`'${whole}' not in source after offset ${this.cursor}`);
    const { line, col } = locate(this.source, from);
    const span = { line, col, offset: from, end: from + statement.length };
    this.cursor = from + whole.length;
    this.b.op(name, operands, { span, end: this.cursor, setup: extra.setup ?? false, expect: extra.expect, wire: extra.wire });
    return this;
  }

  /** Continue searching from this offset (for a setup shared by several Programs). */
  from(offset: number): this {
    this.cursor = offset;
    return this;
  }

  build(): Program {
    return this.b.build();
  }
}

/** A step result with defaults: ret 0, no errno, nothing bound, no wire. */
export function step(s: Partial<StepResult> = {}): StepResult {
  return { ret: 0, errno: 0, fds: [], wire: [], ...s };
}

export function result(steps: StepResult[], opts: { family?: Family; captured?: boolean; error?: string } = {}): RunResult {
  const captured = opts.captured ?? true;
  const r: RunResult = {
    steps,
    kernel: '6.18.0-test',
    family: opts.family ?? 'tcp',
    netns: true,
    wire: captured ? { captured } : { captured, reason: 'no CAP_NET_RAW' },
  };
  return opts.error !== undefined ? { ...r, error: opts.error } : r;
}

export const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
