import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESERVED_WORD_TYPES } from '@epl/dsl';
import { EPOLL_FLAGS, ERRNO, SHUT } from '@epl/program';
import { GRAMMAR_FILE, buildGrammar, words } from '../src/grammar';
import type { Grammar, Rule } from '../src/grammar';

// vscode-tmgrammar-test's library (its CLI runs the same two calls per file).
const tmtest = {
  common: require('vscode-tmgrammar-test/dist/common/index.js') as { createRegistry(g: { path: string; scopeName: string; language?: string }[]): Registry },
  unit: require('vscode-tmgrammar-test/dist/unit/index.js') as {
    parseGrammarTestCase(text: string): object;
    runGrammarTestCase(
      r: Registry,
      c: object,
    ): Promise<{ line: number; srcLine: number; start: number; end: number; missing: string[]; unexpected: string[]; actual: string[] }[]>;
  },
};
interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface Registry {
  loadGrammar(scope: string): Promise<{ tokenizeLine(line: string, stack: unknown): { tokens: Token[] } } | null>;
}

const committed = JSON.parse(fs.readFileSync(GRAMMAR_FILE, 'utf8')) as Grammar;
const registry = tmtest.common.createRegistry([{ path: GRAMMAR_FILE, scopeName: 'source.epl', language: 'epl' }]);

/** Every rule of the grammar, nested ones included. */
function rules(g: Grammar): Rule[] {
  const out: Rule[] = [];
  const walk = (r: Rule) => {
    out.push(r);
    for (const p of r.patterns ?? []) walk(p);
    for (const c of [r.captures, r.beginCaptures, r.endCaptures]) for (const x of Object.values(c ?? {})) walk(x);
  };
  [...g.patterns, ...Object.values(g.repository)].forEach(walk);
  return out;
}

/** The words of every `\b(?i:a|b|…)\b` in the patterns of the rules that give a scope. */
function wordsScoped(g: Grammar, scope: string): string[] {
  const found: string[] = [];
  for (const r of rules(g)) {
    const pattern = r.match ?? r.begin;
    if (!pattern) continue;
    const scoped =
      r.name === scope
        ? [pattern]
        : Object.entries(r.captures ?? r.beginCaptures ?? {})
            .filter(([, c]) => c.name === scope)
            .map(() => pattern);
    for (const p of scoped) found.push(...alternatives(p));
  }
  return [...new Set(found.map((w) => w.replace(/^\(\?:EPOLL\)\?|^\(\?:SHUT_\)\?/, '').toLowerCase()))].sort();
}

/** The alternatives of each `\b(?i:…)\b` group of a pattern (nested groups kept whole: `(?:EPOLL)?IN`). */
function alternatives(pattern: string): string[] {
  const out: string[] = [];
  for (let at = pattern.indexOf('\\b(?i:'); at >= 0; at = pattern.indexOf('\\b(?i:', at + 1)) {
    let depth = 0;
    let part = '';
    for (let i = at + 6; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '(') depth++;
      if (c === ')' && depth-- === 0) break;
      if (c === '|' && depth === 0) {
        out.push(part);
        part = '';
      } else {
        part += c;
      }
    }
    out.push(part);
  }
  return out;
}

const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase()).sort();
const lexed = (type: (t: string, w: string) => boolean) =>
  [...RESERVED_WORD_TYPES]
    .filter(([w, t]) => type(t, w))
    .map(([w]) => w)
    .sort();

/** The scopes of the token covering `word`'s first character in `line`. */
async function scopesOf(line: string, word: string): Promise<string[]> {
  const grammar = (await registry.loadGrammar('source.epl'))!;
  const at = line.lastIndexOf(word);
  return grammar.tokenizeLine(line, null).tokens.find((t) => t.startIndex <= at && at < t.endIndex)!.scopes;
}

describe('the grammar file', () => {
  it('is what grammar.ts builds (run `npm run grammar` after changing either)', () => {
    expect(committed).toEqual(buildGrammar());
  });

  it('lists exactly the lexer statement keywords', () => {
    const statements = lexed((t, w) => t === 'kw_' + w && !['max', 'timeout', 'data', 'oob', 'len', 'none', 'ok', 'scenario'].includes(w));
    expect(wordsScoped(committed, 'keyword.other.statement.epl')).toEqual(statements);
  });

  it('lists exactly the other keywords of the lexer', () => {
    const found = [
      ...wordsScoped(committed, 'keyword.other.option.epl'),
      ...wordsScoped(committed, 'constant.language.epl'),
      ...wordsScoped(committed, 'keyword.control.scenario.epl'),
    ];
    expect([...new Set(found)].sort()).toEqual(
      lexed((t, w) => t === 'kw_' + w).filter((w) => !wordsScoped(committed, 'keyword.other.statement.epl').includes(w)),
    );
  });

  it('lists exactly the epoll flags, shutdown modes and errno names of @epl/program', () => {
    expect(wordsScoped(committed, 'constant.language.flag.epl')).toEqual(lower(Object.keys(EPOLL_FLAGS)));
    expect(wordsScoped(committed, 'constant.language.shutdown.epl')).toEqual(lower(Object.keys(SHUT)));
    expect(wordsScoped(committed, 'constant.language.errno.epl')).toEqual(lower(Object.keys(ERRNO)));
    // …which are the lexer's words of those kinds.
    expect(lower(Object.keys(ERRNO))).toEqual(lexed((t) => t === 'errno'));
    expect(lexed((t) => t === 'eflag')).toEqual(lower(Object.keys(EPOLL_FLAGS).flatMap((f) => [f, 'EPOLL' + f])));
  });

  it('highlights every reserved word of the lexer where it belongs, in any case', async () => {
    for (const [word, type] of RESERVED_WORD_TYPES) {
      const upper = word.toUpperCase();
      if (type === 'errno') expect(await scopesOf(`close 5 => ${upper}`, upper)).toContain('constant.language.errno.epl');
      else if (type === 'eflag') expect(await scopesOf(`add 3 5 IN|${word}`, word)).toContain('constant.language.flag.epl');
      else if (type === 'shut') expect(await scopesOf(`shutdown 5 ${upper}`, upper)).toContain('constant.language.shutdown.epl');
      else if (type === 'kw_scenario') expect(await scopesOf(`${upper} "t" {`, upper)).toContain('keyword.control.scenario.epl');
      else if (['kw_ok', 'kw_none'].includes(type)) expect(await scopesOf(`close 5 => ${word}`, word)).toContain('constant.language.epl');
      else if (['kw_max', 'kw_timeout', 'kw_data', 'kw_oob', 'kw_len'].includes(type)) continue;
      else expect(await scopesOf(`${upper} x`, upper)).toContain('keyword.other.statement.epl');
    }
  });

  it('leaves words that are not reserved alone', async () => {
    expect(await scopesOf('close 5 => EFOO', 'EFOO')).not.toContain('constant.language.errno.epl');
    expect(await scopesOf('add 3 5 IN|INN', 'INN')).not.toContain('constant.language.flag.epl');
    expect(await scopesOf('tcpx 5 6', 'tcpx')).not.toContain('keyword.other.statement.epl');
  });
});

describe('words', () => {
  it('puts longer words first and matches whole words only', () => {
    expect(words(['tcp', 'tcp6', 'dup'])).toBe('\\b(?i:tcp6|dup|tcp)\\b');
  });
});

describe('annotated samples (vscode-tmgrammar-test)', () => {
  const dir = path.join(__dirname, 'samples');
  const samples = fs.readdirSync(dir).filter((f) => f.endsWith('.epl'));
  it('has samples', () => expect(samples.length).toBeGreaterThanOrEqual(4));
  it.each(samples)('%s', async (name) => {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const failures = await tmtest.unit.runGrammarTestCase(registry, tmtest.unit.parseGrammarTestCase(text));
    const lines = text.split('\n');
    const said = failures.map(
      (f) =>
        `${name}:${f.line + 1}: ${JSON.stringify(lines[f.srcLine]?.slice(f.start, f.end))} missing [${f.missing.join(' ')}] unexpected [${f.unexpected.join(' ')}] has [${f.actual.join(' ')}]`,
    );
    expect(said).toEqual([]);
  });
});
