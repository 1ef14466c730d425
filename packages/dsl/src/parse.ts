// parse(): source text -> FileAst, or a SourceError located at the first problem.
//
// The grammar (grammar/epl.ne) is run one line at a time: the token stream is cut at every
// separator (newline or `;`) and each non-empty piece is parsed from the grammar's `line`
// start. That keeps nearley's chart a few columns deep whatever the file's length (linear
// time, flat memory), while the block structure (`scenario … {` … `}` spanning lines) is
// matched here. The whole-file start `file` describes the same language; allParses() runs it
// so tests can prove both agree and that every valid input has exactly one parse.
//
// nearley's own error text (a derivation dump) never reaches the user: each token is checked
// against the terminals the parser expects before it is fed, and a one-line message is built
// from the token and that set.
import { Grammar, Parser, type CompiledRules, type Lexer as NearleyLexer } from 'nearley';
import { SourceError, locate, type Span } from '@epl/program';
import compiled, { STATEMENT_KEYWORDS } from './generated/epl';
import type { BlockOpen, FileAst, Line, Scenario, Statement } from './ast';
import { Lexer, SEPARATORS, tokenize } from './lexer';
import { Fault, type Tok } from './token';

// What nearley keeps but does not type: the chart and the parser's position in it.
interface ParserInternals {
  table: { scannable: { rule: { symbols: ({ type?: string } | string)[] }; dot: number }[] }[];
  current: number;
  results: unknown[] | undefined;
}

const rules = compiled as unknown as CompiledRules;
const fileGrammar = Grammar.fromCompiled({ ...rules, ParserStart: 'file' });

/** nearley pulls tokens from a lexer: this one hands over the tokens we already have. */
class TokenFeed {
  tokens: Tok[] = [];
  private i = 0;
  reset(): void {
    this.i = 0;
  }
  next(): Tok | undefined {
    return this.tokens[this.i++];
  }
  save(): undefined {
    return undefined;
  }
  formatError(): string {
    return 'syntax error';
  }
  has(): boolean {
    return true;
  }
}

/** Parse an .epl source. `file` names it in errors. Throws SourceError. */
export function parse(source: string, file: string): FileAst {
  try {
    return { kind: 'file', file, items: parseItems(source) };
  } catch (e) {
    throw located(e, source, file);
  }
}

/**
 * Every parse of the whole source by the grammar's `file` start, in one go (no line
 * splitting). For tests: a valid input must have exactly one. Throws SourceError for an
 * input parse() rejects.
 */
export function allParses(source: string, file: string): FileAst[] {
  parse(source, file); // located errors come from the production path
  const whole = new TokenFeed();
  whole.tokens = tokenize(source);
  const p = new Parser(fileGrammar, { lexer: whole as unknown as NearleyLexer });
  p.feed('');
  return (p.results as FileAst['items'][]).map((items) => ({ kind: 'file', file, items }));
}

function located(e: unknown, source: string, file: string): unknown {
  return e instanceof Fault ? new SourceError(file, source, locate(source, e.offset), e.reason) : e;
}

function parseItems(source: string): (Statement | Scenario)[] {
  const lexer = new Lexer(source);
  const items: (Statement | Scenario)[] = [];
  let block: { open: BlockOpen; body: Statement[] } | undefined;
  let chunk: Tok[] = [];
  let lastEnd = 0;
  for (;;) {
    const t = lexer.next();
    if (t !== undefined && !SEPARATORS.has(t.type)) {
      chunk.push(t);
      continue;
    }
    if (chunk.length) {
      const line = parseLine(chunk, t, source, block !== undefined);
      const last = chunk[chunk.length - 1];
      lastEnd = last.offset + last.text.length;
      chunk = [];
      if (line.open) {
        if (block) throw unterminated(block.open, line.open.span.offset);
        block = { open: line.open, body: [] };
      }
      if (line.statement) (block ? block.body : items).push(line.statement);
      if (line.close) {
        if (!block) throw new Fault(line.close.offset, "unexpected '}': no scenario block is open");
        const o = block.open;
        items.push({ kind: 'scenario', title: o.title, open: o.span, brace: o.brace, body: block.body, span: join(o.span, line.close) });
        block = undefined;
      }
    }
    if (t === undefined) break;
  }
  if (block) throw unterminated(block.open, lastEnd);
  return items;
}

function unterminated(open: BlockOpen, at: number): Fault {
  return new Fault(at, `unterminated block: '{' at ${open.brace.line}:${open.brace.col} has no '}'`);
}

function join(a: Span, b: Span): Span {
  return { line: a.line, col: a.col, offset: a.offset, end: b.end };
}

// The derivation of a line depends only on its token types (rules never look at text), so
// nearley's answer for one sequence of types holds for every line of that shape. It is kept
// as a plan (which rule built what from which tokens) and replayed with the grammar's own
// postprocessors on the next line of the same shape: a file of 100,000 lines has a few
// dozen shapes, and nearley runs once per shape, not once per line.
type Build = (tokens: Tok[]) => unknown;
/** Plans by line shape, as a trie over token types (no key string to build per line). */
interface Shape {
  readonly next: Map<string, Shape>;
  build?: Build;
}
let shapes: Shape = { next: new Map() };
let planned = 0;
const MAX_PLANS = 4096;

/** A derivation node, as the instrumented grammar below produces it instead of the AST. */
class Derivation {
  constructor(
    readonly rule: number,
    readonly kids: unknown[],
  ) {}
}
const derivationGrammar = Grammar.fromCompiled({
  ...rules,
  ParserStart: 'line',
  ParserRules: rules.ParserRules.map((r, i) => ({ name: r.name, symbols: r.symbols, postprocess: (d: unknown[]) => new Derivation(i, d) })),
});
const feed = new TokenFeed();
/**
 * One parser for every line shape, reset to its first column between lines: that column holds
 * every statement rule, predicted (hundreds of states), and building it again for each new
 * shape cost a cold start a few ms. Feeding never changes a column already built.
 */
let lineParser: { parser: Parser; start: ReturnType<Parser['save']> } | undefined;

/** One line's tokens through the `line` start. `term` is the separator after it (undefined: end of file). */
function parseLine(tokens: Tok[], term: Tok | undefined, source: string, inBlock: boolean): Line {
  let shape = shapes;
  for (let i = 0; i < tokens.length; i++) {
    let next = shape.next.get(tokens[i].type);
    if (next === undefined) {
      next = { next: new Map() };
      shape.next.set(tokens[i].type, next);
    }
    shape = next;
  }
  if (shape.build === undefined) {
    const build = plan(derive(tokens, term, source, inBlock), tokens);
    if (++planned > MAX_PLANS) {
      shapes = { next: new Map() }; // a bound on memory for hostile inputs; plans are cheap to redo
      planned = 0;
    }
    shape.build = build;
  }
  return shape.build(tokens) as Line;
}

/** nearley's one derivation of a line, or the syntax error at the first token it cannot take. */
function derive(tokens: Tok[], term: Tok | undefined, source: string, inBlock: boolean): Derivation {
  let p: Parser;
  if (lineParser === undefined) {
    p = new Parser(derivationGrammar, { lexer: feed as unknown as NearleyLexer });
    lineParser = { parser: p, start: p.save() };
  } else {
    p = lineParser.parser;
    p.restore(lineParser.start);
  }
  const internals = p as unknown as ParserInternals;
  for (let i = 0; i < tokens.length; i++) {
    if (!accepts(internals, tokens[i].type)) throw syntaxError(internals, tokens, i, term, source, inBlock);
    feed.tokens = [tokens[i]];
    p.feed('');
  }
  const results = internals.results ?? [];
  if (results.length === 0) throw syntaxError(internals, tokens, tokens.length, term, source, inBlock);
  if (results.length > 1) throw new Error(`internal error: the grammar is ambiguous (${results.length} parses) at ${tokens[0].line}:${tokens[0].col}`);
  return results[0] as Derivation;
}

/** Turn a derivation into a function that builds the same value from another line's tokens. */
function plan(d: Derivation, tokens: Tok[]): Build {
  const post = (rules.ParserRules[d.rule].postprocess ?? ((data: unknown[]) => data)) as (data: unknown[]) => unknown;
  const kids: Build[] = d.kids.map((k) => {
    if (k instanceof Derivation) return plan(k, tokens);
    const i = tokens.indexOf(k as Tok);
    return (ts: Tok[]) => ts[i];
  });
  // Fixed arities without map(): this is the inner loop of parsing a long file.
  const [k0, k1, k2, k3, k4] = kids;
  switch (kids.length) {
    case 0:
      return () => post([]);
    case 1:
      return (ts) => post([k0(ts)]);
    case 2:
      return (ts) => post([k0(ts), k1(ts)]);
    case 3:
      return (ts) => post([k0(ts), k1(ts), k2(ts)]);
    case 4:
      return (ts) => post([k0(ts), k1(ts), k2(ts), k3(ts)]);
    case 5:
      return (ts) => post([k0(ts), k1(ts), k2(ts), k3(ts), k4(ts)]);
    default:
      return (ts) => post(kids.map((k) => k(ts)));
  }
}

function accepts(p: ParserInternals, type: string): boolean {
  for (const s of p.table[p.current].scannable) {
    const sym = s.rule.symbols[s.dot];
    if (typeof sym === 'object' && sym.type === type) return true;
  }
  return false;
}

/** Token types the parser can take next. */
function expected(p: ParserInternals): Set<string> {
  const types = new Set<string>();
  for (const s of p.table[p.current].scannable) {
    const sym = s.rule.symbols[s.dot];
    if (typeof sym === 'object' && sym.type) types.add(sym.type);
  }
  return types;
}

// ---- messages ---------------------------------------------------------------------------------

const STATEMENT_TYPES = new Set(STATEMENT_KEYWORDS.map((k) => 'kw_' + k));
const OPERAND_TYPES = new Set(['int', 'hex', 'neg', 'ident', 'string', 'eflag', 'shut', 'errno', 'tcpdot', 'kw_ok', 'kw_none']);
const RESERVED: Readonly<Record<string, string>> = { eflag: 'an epoll flag', shut: 'a shutdown mode', errno: 'an errno name' };
/** Tokens after which a message says "after 'X'": they announce what comes next. */
const INTRODUCERS = new Set(['pipe', 'arrow', 'res', 'wire', 'comma', 'colon', 'gt', 'kw_max', 'kw_timeout', 'kw_data', 'kw_len']);
const PUNCTUATION: Readonly<Record<string, string>> = {
  res: "'=>'",
  wire: "'~>'",
  arrow: "'->'",
  gt: "'>'",
  pipe: "'|'",
  colon: "':'",
  comma: "','",
  lbrace: "'{'",
  rbrace: "'}'",
};
const RESULT_HELP = 'a result (a number, ok, an errno name, a string, NAME: FLAGS or none)';
const WIRE_HELP = "a wire (none, or segments 'A > B FLAGS')";

function reserved(type: string): string | undefined {
  if (STATEMENT_TYPES.has(type)) return 'a statement keyword';
  if (type.startsWith('kw_')) return 'a keyword';
  return RESERVED[type];
}

function show(t: Tok | undefined): string {
  if (t === undefined) return 'end of file';
  if (t.type === 'nl') return 'end of line';
  const text = t.text.length > 24 ? t.text.slice(0, 23) + '…' : t.text;
  return t.type === 'string' ? text : `'${text}'`;
}

/** What the parser wanted, in words, most useful first. */
function describe(types: Set<string>, canEnd: boolean, prev: Tok | undefined): string[] {
  if (prev?.type === 'res') return [RESULT_HELP];
  if (prev?.type === 'wire') return [WIRE_HELP];
  const out: string[] = [];
  if ([...types].some((t) => STATEMENT_TYPES.has(t))) out.push('a statement');
  if (types.has('tcpdot')) out.push('tcp flags (S, S., ., P., F., R, …)');
  else if (types.has('ident')) out.push('a name');
  if (types.has('eflag')) out.push('a flag (IN, OUT, …)');
  else if (types.has('neg')) out.push('a number');
  if (types.has('shut')) out.push('a shutdown mode (RD, WR, RDWR)');
  if (types.has('string')) out.push('a string');
  for (const t of types) {
    if (t.startsWith('kw_') && !STATEMENT_TYPES.has(t) && !(t === 'kw_none' && types.has('tcpdot'))) out.push(`'${t.slice(3)}'`);
  }
  for (const t of types) if (PUNCTUATION[t]) out.push(PUNCTUATION[t]);
  if (canEnd) out.push('end of statement');
  return out;
}

function oneOf(alts: string[]): string {
  return alts.length <= 1 ? (alts[0] ?? 'nothing') : `${alts.slice(0, -1).join(', ')} or ${alts[alts.length - 1]}`;
}

/**
 * The error for token `i` of a line (`i === tokens.length`: the separator `term` came too
 * early), from the terminals the parser expected there.
 */
function syntaxError(p: ParserInternals, tokens: Tok[], i: number, term: Tok | undefined, source: string, inBlock: boolean): Fault {
  const got = i < tokens.length ? tokens[i] : term;
  const at = got === undefined ? source.length : got.offset;
  const prev = i > 0 ? tokens[i - 1] : undefined;
  const types = expected(p);
  if (!inBlock) types.delete('rbrace'); // a '}' is expected only inside a block, whatever the grammar allows
  const canEnd = i > 0 && (p.results?.length ?? 0) > 0;
  const gotType = got?.type ?? 'eof';

  if ([...types].some((t) => STATEMENT_TYPES.has(t))) {
    if (gotType === 'ident') return new Fault(at, `unknown statement '${got!.text}'`);
    return new Fault(at, `expected a statement, got ${show(got)}`);
  }
  const what = reserved(gotType);
  if (what && types.has('ident') && !types.has('tcpdot') && prev?.type !== 'res') {
    return new Fault(at, `'${got!.text}' is reserved (${what}) and cannot be a name`);
  }
  if (gotType === 'ident' && types.has('eflag')) return new Fault(at, `unknown flag '${got!.text}' (IN, OUT, PRI, ERR, HUP, RDHUP, ET, ONESHOT, …)`);
  if (gotType === 'ident' && types.has('shut')) return new Fault(at, `unknown shutdown mode '${got!.text}' (RD, WR, RDWR)`);
  // `=> EFOO` reads as the start of a ready entry `EFOO: FLAGS`; say what was surely meant.
  if (prev?.type === 'ident' && i >= 2 && tokens[i - 2].type === 'res' && types.has('colon') && gotType !== 'colon') {
    if (/^E[A-Z0-9]+$/i.test(prev.text)) return new Fault(prev.offset, `unknown errno '${prev.text}'`);
    return new Fault(prev.offset, `expected ${RESULT_HELP} after '=>', got '${prev.text}'`);
  }
  if (canEnd && got !== undefined && OPERAND_TYPES.has(gotType)) {
    const start = statementStart(tokens, i);
    const stmt = tokens.slice(start, i);
    if (start >= 0 && !stmt.some((t) => t.type === 'res' || t.type === 'wire')) {
      const text = source.slice(tokens[start].offset, prev!.offset + prev!.text.length);
      return new Fault(at, `extra operand ${show(got)} after '${text}'`);
    }
  }
  const after = prev && INTRODUCERS.has(prev.type) ? ` after '${prev.text}'` : '';
  return new Fault(at, `expected ${oneOf(describe(types, canEnd, prev))}${after}, got ${show(got)}`);
}

function statementStart(tokens: Tok[], i: number): number {
  for (let j = i - 1; j >= 0; j--) if (STATEMENT_TYPES.has(tokens[j].type)) return j;
  return -1;
}
