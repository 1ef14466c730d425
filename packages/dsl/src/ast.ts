// The syntax tree of an .epl file: only what was written, with the span of every node.
// Nothing here resolves names or checks limits; that is the compiler's job.
import type { Span } from '@epl/program';

export type { Span };

/** A descriptor name as written: `5`, `client`. Case-sensitive. */
export interface Name {
  readonly kind: 'name';
  readonly text: string;
  readonly span: Span;
}

/** An integer as written (decimal, `0x` hex, or negative). `value` may be out of any operand's range. */
export interface Num {
  readonly kind: 'number';
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

/** A string literal, escapes decoded; non-ASCII characters are their UTF-8 bytes. Span includes the quotes. */
export interface Str {
  readonly kind: 'string';
  readonly bytes: Uint8Array;
  readonly span: Span;
}

/** Epoll flags joined by `|` (flag words and numbers, each checked to fit 32 bits). `value` is their uint32 OR. */
export interface Flags {
  readonly kind: 'flags';
  readonly value: number;
  readonly span: Span;
}

/** A shutdown mode: `RD`, `SHUT_WR`, … or a number passed through. */
export interface How {
  readonly kind: 'how';
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

/** tcpdump flag letters (`S.`, `FP.`, `R`), already validated; `none` is 0. */
export interface TcpFlags {
  readonly kind: 'tcpflags';
  readonly value: number;
  readonly text: string;
  readonly span: Span;
}

/** What a statement does, by keyword. Operands keep their source order: `a`, `b`, then the rest. */
export type Command =
  | { readonly op: 'tcp' | 'tcp6' | 'unix' | 'pair' | 'pipe' | 'connect' | 'del'; readonly a: Name; readonly b: Name }
  /** `accept a -> b`, `dup a -> b`, `dup2 a -> b`. */
  | { readonly op: 'accept' | 'dup' | 'dup2'; readonly a: Name; readonly b: Name }
  | { readonly op: 'socket' | 'listen' | 'epoll' | 'close' | 'fill' | 'drain'; readonly a: Name }
  | { readonly op: 'eventfd'; readonly a: Name; readonly init?: Num }
  /** `add a b FLAGS [data N]`: a is the epoll, b the target. */
  | { readonly op: 'add' | 'mod'; readonly a: Name; readonly b: Name; readonly flags: Flags; readonly data?: Name }
  | { readonly op: 'wait'; readonly a?: Name; readonly max?: Num; readonly timeout?: Num }
  | { readonly op: 'shutdown'; readonly a: Name; readonly how: How }
  | { readonly op: 'write'; readonly a: Name; readonly data: Str | Num }
  | { readonly op: 'read'; readonly a: Name; readonly count?: Num }
  /** `send a "x" oob` (the only send there is). */
  | { readonly op: 'send'; readonly a: Name; readonly data: Str }
  | { readonly op: 'linger'; readonly a: Name; readonly seconds: Num }
  | { readonly op: 'sleep'; readonly ms: Num };

export type Op = Command['op'];

/** A statement with its expectations. */
export type Statement = Command & {
  readonly kind: 'statement';
  /** From the keyword to the last operand (expectations excluded). The keyword is the first `op.length` characters. */
  readonly span: Span;
  /** `=>` and `~>` in source order (the compiler rejects duplicates). */
  readonly expects: readonly Expectation[];
  /** End offset of the statement including its expectations (before trailing spaces or comments). */
  readonly end: number;
};

export type ResultNode =
  | { readonly kind: 'ok'; readonly span: Span }
  | { readonly kind: 'none'; readonly span: Span }
  | Num
  | { readonly kind: 'errno'; readonly name: string; readonly code: number; readonly span: Span }
  | Str
  | { readonly kind: 'ready'; readonly entries: readonly ReadyEntryNode[]; readonly span: Span };

export interface ReadyEntryNode {
  readonly name: Name;
  readonly flags: Flags;
  readonly span: Span;
}

export type WireNode =
  { readonly kind: 'none'; readonly span: Span } | { readonly kind: 'segments'; readonly segments: readonly SegmentNode[]; readonly span: Span };

/** `src > dst FLAGS [len N]`. */
export interface SegmentNode {
  readonly src: Name;
  readonly dst: Name;
  readonly flags: TcpFlags;
  readonly len?: Num;
  readonly span: Span;
}

/** `=> RESULT` or `~> WIRE`; `span` runs from the arrow (its first two characters) to the end of the value. */
export type Expectation =
  { readonly kind: 'result'; readonly value: ResultNode; readonly span: Span } | { readonly kind: 'wire'; readonly value: WireNode; readonly span: Span };

/** `scenario "title" { … }`. */
export interface Scenario {
  readonly kind: 'scenario';
  readonly title: Str;
  /** `scenario "title" {`. */
  readonly open: Span;
  /** The `{`. */
  readonly brace: Span;
  readonly body: readonly Statement[];
  /** From `scenario` to `}`. */
  readonly span: Span;
}

/** A parsed file: top-level statements and blocks in source order (the compiler checks their order). */
export interface FileAst {
  readonly kind: 'file';
  readonly file: string;
  readonly items: readonly (Statement | Scenario)[];
}

/** What the grammar's `line` start yields for one line: parts of a block and/or a statement. */
export interface BlockOpen {
  readonly title: Str;
  readonly span: Span;
  readonly brace: Span;
}

export interface Line {
  readonly open?: BlockOpen;
  readonly statement?: Statement;
  /** The `}`. */
  readonly close?: Span;
}
