# The EPL grammar. The language it accepts: grammar/README.md (the design: shared/design/EPL-LANGUAGE.md).
# `npm run generate` in packages/dsl compiles it with nearleyc into packages/dsl/src/generated/
# (never edited by hand, never committed). Rules match token types only, never strings: the
# parser relies on it (one derivation per sequence of token types, replayed line after line).
#
# Two start symbols share every statement rule:
#   file  the whole token stream (tests: exactly one parse per valid file);
#   line  one chunk between separators (the parser's production path, see packages/dsl/src/parse.ts:
#         it feeds one line at a time so parsing stays linear and light on long files).
# Tokens arrive from packages/dsl/src/lexer.ts with whitespace and comments removed, strings
# decoded (`bytes`) and numbers read (`num`).

@preprocessor typescript

@{%
import * as moo from 'moo';
import { EPOLL_FLAGS, ERRNO, SHUT, epollFlag, errnoNumber, parseTcpFlags, shutMode } from '@epl/program';
import type * as A from '../ast';
import { Fault, type Tok } from '../token';

const STATEMENTS = [
  'tcp', 'tcp6', 'unix', 'socket', 'pair', 'pipe', 'eventfd', 'listen', 'connect', 'accept', 'epoll',
  'dup', 'dup2', 'add', 'mod', 'del', 'wait', 'close', 'shutdown', 'write', 'read', 'send', 'fill',
  'drain', 'linger', 'sleep',
] as const;
const OTHER_KEYWORDS = ['max', 'timeout', 'data', 'oob', 'len', 'none', 'ok', 'scenario'] as const;

/** Lower-cased word -> token type, for every reserved word (keywords are case-insensitive). */
export const WORD_TYPES = new Map<string, string>();
for (const k of [...STATEMENTS, ...OTHER_KEYWORDS]) WORD_TYPES.set(k, 'kw_' + k);
/** Epoll flag words (lower-cased, with and without the prefix) -> bits. */
const FLAG_BITS = new Map<string, number>();
for (const f of Object.keys(EPOLL_FLAGS)) {
  for (const w of [f.toLowerCase(), 'epoll' + f.toLowerCase()]) {
    WORD_TYPES.set(w, 'eflag');
    FLAG_BITS.set(w, epollFlag(f)!);
  }
}
for (const m of Object.keys(SHUT)) {
  WORD_TYPES.set(m.toLowerCase(), 'shut');
  WORD_TYPES.set('shut_' + m.toLowerCase(), 'shut');
}
for (const e of Object.keys(ERRNO)) WORD_TYPES.set(e.toLowerCase(), 'errno');
export const STATEMENT_KEYWORDS: readonly string[] = STATEMENTS;

function numberType(text: string): string {
  if (/^[0-9]+$/.test(text)) return 'int';
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return 'hex';
  if (/^-(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(text)) return 'neg';
  return 'badnum';
}

// Order matters: moo takes the first rule that matches at a position. Single characters come
// first: moo looks those up in a table instead of running its regular expression.
export const lexer = moo.compile({
  ws: [' ', '\t', '\r'],
  nl: { match: '\n', lineBreaks: true },
  semi: ';',
  gt: '>',
  pipe: '|',
  colon: ':',
  comma: ',',
  lbrace: '{',
  rbrace: '}',
  comment: /#[^\n]*/,
  // No `string` rule: packages/dsl/src/lexer.ts scans strings itself (a regular expression for
  // them overflowed V8's stack past 8 million characters); they reach the grammar as `string`.
  res: '=>',
  wire: '~>',
  arrow: '->',
  // `-?` so that negative numbers are one token; `5a` is one (bad) token rather than two.
  int: { match: /-?[0-9][A-Za-z0-9_]*/, type: numberType },
  // tcpdump flags with an ACK dot (`S.`, `FP.`, `.`); `S`/`R` alone are identifiers.
  tcpdot: /[FSRPUEW]*\.[FSRPUEW]*/,
  ident: { match: /[A-Za-z_][A-Za-z0-9_]*/, type: (w: string) => WORD_TYPES.get(w.toLowerCase()) ?? 'ident' },
  error: moo.error,
});

// Small shared postprocessors: every action below is a one-liner over these.
type D = any[];
const sp = (t: Tok): A.Span => ({ line: t.line, col: t.col, offset: t.offset, end: t.offset + t.text.length });
/** From the start of `x` to the end of `y`. */
const from = (x: A.Span, y: A.Span): A.Span => ({ line: x.line, col: x.col, offset: x.offset, end: y.end });
const name = (d: D): A.Name => ({ kind: 'name', text: d[0].text, span: sp(d[0]) });
const num = (d: D): A.Num => ({ kind: 'number', value: d[0].num, text: d[0].text, span: sp(d[0]) });
const str = (d: D): A.Str => ({ kind: 'string', bytes: d[0].bytes, span: sp(d[0]) });
const list = (d: D) => [d[0]];
// concat, not push: a pushed-to array keeps room for 16 more, and a long file has many lists.
const push = (d: D) => d[0].concat([d[d.length - 1]]);
const nil = () => undefined;
/** The bits of one part of a mask: a flag word, or a number that must fit in 32 bits. */
const flagBits = (t: Tok): number => {
  if (t.type === 'eflag') return FLAG_BITS.get(t.text.toLowerCase())!;
  // Checked here, not in the compiler: a part has no node of its own (masks are many and the AST stays small).
  if (t.num! > 0xffffffff) throw new Fault(t.offset, `flag value ${t.text} does not fit in 32 bits`);
  return t.num!;
};
const flags = (d: D): A.Flags => ({ kind: 'flags', value: flagBits(d[0]) >>> 0, span: sp(d[0]) });
const flagOr = (d: D): A.Flags => ({ kind: 'flags', value: (d[0].value | flagBits(d[2])) >>> 0, span: from(d[0].span, sp(d[2])) });
const how = (d: D): A.How => ({ kind: 'how', value: d[0].type === 'shut' ? shutMode(d[0].text)! : d[0].num, text: d[0].text, span: sp(d[0]) });
const tcpFlags = (d: D): A.TcpFlags => {
  const t: Tok = d[0];
  const value = t.type === 'kw_none' ? 0 : parseTcpFlags(t.text);
  // The only check made here: the context (after `A > B`) is unambiguous, and the letters are
  // the token's own business, like an escape in a string.
  if (value === undefined) throw new Fault(t.offset, `unknown tcp flags '${t.text}' (tcpdump letters S F R P U E W, '.' for ACK: S, S., ., P., F., R)`);
  return { kind: 'tcpflags', value, text: t.text, span: sp(t) };
};
// Statement nodes are built in one literal per shape (no spreads: one hidden class per shape
// keeps a 100,000-line AST compact). Fields: kind, op, span, operands, expects, end.
// `span` runs from the keyword to the last operand; `end` to the end of the last expectation.
const NO_EXPECTS: readonly A.Expectation[] = Object.freeze([]);
const upto = (k: Tok, end: number): A.Span => ({ line: k.line, col: k.col, offset: k.offset, end });
const endOf = (s: A.Span, ex: readonly A.Expectation[]) => (ex.length ? ex[ex.length - 1].span.end : s.end);
const one = (op: string) => (d: D) => {
  const span = upto(d[0], d[1].span.end);
  return { kind: 'statement', op, span, a: d[1], expects: d[2], end: endOf(span, d[2]) };
};
const two = (op: string, bAt: number) => (d: D) => {
  const span = upto(d[0], d[bAt].span.end);
  return { kind: 'statement', op, span, a: d[1], b: d[bAt], expects: d[bAt + 1], end: endOf(span, d[bAt + 1]) };
};
/** `op a [X]`: the optional second operand is at `d[2]` when `has`. */
const eventfd = (has: boolean) => (d: D) => {
  const init = has ? d[2] : undefined;
  const ex = has ? d[3] : d[2];
  const span = upto(d[0], (init ?? d[1]).span.end);
  return { kind: 'statement', op: 'eventfd', span, a: d[1], init, expects: ex, end: endOf(span, ex) };
};
const read = (has: boolean) => (d: D) => {
  const count = has ? d[2] : undefined;
  const ex = has ? d[3] : d[2];
  const span = upto(d[0], (count ?? d[1]).span.end);
  return { kind: 'statement', op: 'read', span, a: d[1], count, expects: ex, end: endOf(span, ex) };
};
const shutdown = (d: D) => {
  const span = upto(d[0], d[2].span.end);
  return { kind: 'statement', op: 'shutdown', span, a: d[1], how: d[2], expects: d[3], end: endOf(span, d[3]) };
};
const write = (d: D) => {
  const span = upto(d[0], d[2].span.end);
  return { kind: 'statement', op: 'write', span, a: d[1], data: d[2], expects: d[3], end: endOf(span, d[3]) };
};
const linger = (d: D) => {
  const span = upto(d[0], d[2].span.end);
  return { kind: 'statement', op: 'linger', span, a: d[1], seconds: d[2], expects: d[3], end: endOf(span, d[3]) };
};
const epollCtl = (op: string, withData: boolean) => (d: D) => {
  const data = withData ? d[5] : undefined;
  const ex = withData ? d[6] : d[4];
  const span = upto(d[0], (data ?? d[3]).span.end);
  return { kind: 'statement', op, span, a: d[1], b: d[2], flags: d[3], data, expects: ex, end: endOf(span, ex) };
};
const wait = (d: D) => {
  const a: A.Name | undefined = d[1];
  const o: { max?: A.Num; timeout?: A.Num } = d[2];
  const span = upto(d[0], Math.max(d[0].offset + d[0].text.length, a?.span.end ?? 0, o.max?.span.end ?? 0, o.timeout?.span.end ?? 0));
  return { kind: 'statement', op: 'wait', span, a, max: o.max, timeout: o.timeout, expects: d[3], end: endOf(span, d[3]) };
};
const send = (d: D) => {
  const span = upto(d[0], d[3].offset + d[3].text.length);
  return { kind: 'statement', op: 'send', span, a: d[1], data: d[2], expects: d[4], end: endOf(span, d[4]) };
};
const sleep = (d: D) => {
  const span = upto(d[0], d[1].span.end);
  return { kind: 'statement', op: 'sleep', span, ms: d[1], expects: d[2], end: endOf(span, d[2]) };
};
const toResult = (d: D): A.Expectation => ({ kind: 'result', value: d[1], span: from(sp(d[0]), d[1].span) });
const toWire = (d: D): A.Expectation => ({ kind: 'wire', value: d[1], span: from(sp(d[0]), d[1].span) });
const word = (kind: 'ok' | 'none') => (d: D) => ({ kind, span: sp(d[0]) });
const toErrno = (d: D): A.ResultNode => ({ kind: 'errno', name: d[0].text.toUpperCase(), code: errnoNumber(d[0].text)!, span: sp(d[0]) });
const ready = (d: D): A.ResultNode => ({ kind: 'ready', entries: d[0], span: from(d[0][0].span, d[0][d[0].length - 1].span) });
const entry = (d: D): A.ReadyEntryNode => ({ name: d[0], flags: d[2], span: from(d[0].span, d[2].span) });
const segments = (d: D): A.WireNode => ({ kind: 'segments', segments: d[0], span: from(d[0][0].span, d[0][d[0].length - 1].span) });
const segment = (d: D): A.SegmentNode => ({ src: d[0], dst: d[2], flags: d[3], len: d[5], span: from(d[0].span, (d[5] ?? d[3]).span) });
const open = (d: D): A.BlockOpen => ({ title: d[1], span: from(sp(d[0]), sp(d[2])), brace: sp(d[2]) });
const line = (o: number | null, s: number | null, c: number | null) => (d: D): A.Line => ({
  open: o === null ? undefined : d[o],
  statement: s === null ? undefined : d[s],
  close: c === null ? undefined : sp(d[c]),
});
const block = (s: number | null) => (d: D): A.Scenario => ({
  kind: 'scenario', title: d[0].title, open: d[0].span, brace: d[0].brace,
  body: s === null ? [] : d[s], span: from(d[0].span, sp(d[d.length - 1])),
});
%}

@lexer lexer

# ---- whole file -------------------------------------------------------------------------------
file -> seps                                   {% () => [] %}
      | seps items seps                        {% (d) => d[1] %}
items -> item                                  {% list %}
       | items seps1 item                      {% push %}
item -> statement                              {% id %}
      | block                                  {% id %}
block -> open seps %rbrace                     {% block(null) %}
       | open seps statements seps %rbrace     {% block(2) %}
statements -> statement                        {% list %}
            | statements seps1 statement       {% push %}
seps -> null | seps sep
seps1 -> sep | seps1 sep
sep -> %nl | %semi

# ---- one line (what lies between two separators) ----------------------------------------------
line -> statement                              {% line(null, 0, null) %}
      | open                                   {% line(0, null, null) %}
      | open statement                         {% line(0, 1, null) %}
      | %rbrace                                {% line(null, null, 0) %}
      | statement %rbrace                      {% line(null, 0, 1) %}
      | open %rbrace                           {% line(0, null, 1) %}
      | open statement %rbrace                 {% line(0, 1, 2) %}

open -> %kw_scenario string %lbrace            {% open %}

# ---- statements -------------------------------------------------------------------------------
statement -> %kw_tcp name name expects                     {% two('tcp', 2) %}
           | %kw_tcp6 name name expects                    {% two('tcp6', 2) %}
           | %kw_unix name name expects                    {% two('unix', 2) %}
           | %kw_pair name name expects                    {% two('pair', 2) %}
           | %kw_pipe name name expects                    {% two('pipe', 2) %}
           | %kw_socket name expects                       {% one('socket') %}
           | %kw_listen name expects                       {% one('listen') %}
           | %kw_epoll name expects                        {% one('epoll') %}
           | %kw_eventfd name expects                      {% eventfd(false) %}
           | %kw_eventfd name number expects               {% eventfd(true) %}
           | %kw_connect name name expects                 {% two('connect', 2) %}
           | %kw_accept name %arrow name expects           {% two('accept', 3) %}
           | %kw_dup name %arrow name expects              {% two('dup', 3) %}
           | %kw_dup2 name %arrow name expects             {% two('dup2', 3) %}
           | %kw_add name name flags expects               {% epollCtl('add', false) %}
           | %kw_add name name flags %kw_data name expects {% epollCtl('add', true) %}
           | %kw_mod name name flags expects               {% epollCtl('mod', false) %}
           | %kw_mod name name flags %kw_data name expects {% epollCtl('mod', true) %}
           | %kw_del name name expects                     {% two('del', 2) %}
           | %kw_wait waitEpoll waitOptions expects        {% wait %}
           | %kw_close name expects                        {% one('close') %}
           | %kw_shutdown name how expects                 {% shutdown %}
           | %kw_write name string expects                 {% write %}
           | %kw_write name number expects                 {% write %}
           | %kw_read name expects                         {% read(false) %}
           | %kw_read name number expects                  {% read(true) %}
           | %kw_send name string %kw_oob expects          {% send %}
           | %kw_fill name expects                         {% one('fill') %}
           | %kw_drain name expects                        {% one('drain') %}
           | %kw_linger name number expects                {% linger %}
           | %kw_sleep number expects                      {% sleep %}

waitEpoll -> null                              {% nil %}
           | name                              {% id %}
waitOptions -> null                            {% () => ({}) %}
             | max                             {% (d) => ({ max: d[0] }) %}
             | timeout                         {% (d) => ({ timeout: d[0] }) %}
             | max timeout                     {% (d) => ({ max: d[0], timeout: d[1] }) %}
             | timeout max                     {% (d) => ({ timeout: d[0], max: d[1] }) %}
max -> %kw_max number                          {% (d) => d[1] %}
timeout -> %kw_timeout number                  {% (d) => d[1] %}

# ---- expectations -----------------------------------------------------------------------------
expects -> null                                {% () => NO_EXPECTS %}
         | expects expect                      {% push %}
expect -> %res result                          {% toResult %}
        | %wire wireValue                      {% toWire %}

result -> number                               {% id %}
        | %kw_ok                               {% word('ok') %}
        | %errno                               {% toErrno %}
        | string                               {% id %}
        | %kw_none                             {% word('none') %}
        | readyList                            {% ready %}
readyList -> readyEntry                        {% list %}
           | readyList %comma readyEntry       {% push %}
readyEntry -> name %colon flags                {% entry %}

wireValue -> %kw_none                          {% word('none') %}
           | segmentList                       {% segments %}
segmentList -> segment                         {% list %}
             | segmentList %comma segment      {% push %}
segment -> name %gt name tcpFlags              {% segment %}
         | name %gt name tcpFlags %kw_len number {% segment %}
tcpFlags -> %tcpdot                            {% tcpFlags %}
          | %ident                             {% tcpFlags %}
          | %kw_none                           {% tcpFlags %}

# ---- words ------------------------------------------------------------------------------------
name -> %int                                   {% name %}
      | %ident                                 {% name %}
number -> %int                                 {% num %}
        | %hex                                 {% num %}
        | %neg                                 {% num %}
string -> %string                              {% str %}
flags -> flag                                  {% flags %}
       | flags %pipe flag                      {% flagOr %}
flag -> %eflag                                 {% id %}
      | %int                                   {% id %}
      | %hex                                   {% id %}
how -> %shut                                   {% how %}
     | number                                  {% (d) => ({ kind: 'how', value: d[0].value, text: d[0].text, span: d[0].span }) %}
