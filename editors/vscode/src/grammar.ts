// The TextMate grammar of EPL (scope `source.epl`), built from the project's own word tables so
// that a new statement, flag or errno is highlighted without an edit here. `npm run grammar`
// runs this file to write syntaxes/epl.tmLanguage.json (then Prettier formats it); the file is
// committed, as editors and other tools read it from the repository, and
// tests/grammar.test.ts fails when it is not what this builds.
//
// A statement is a region from its keyword to the first `=>`, `~>`, `;`, `}`, `#` or the end of
// the line. Its keyword's rule takes the leading name operands in its begin pattern (their count
// comes from the opcode table, as the language server counts them), so that `5` is a name in
// `close 5` and a number in `read 5 5`. After `=>` a `NAME:` is a ready-list name, after `~>`
// the words around `>` are wire endpoints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EPOLL_FLAG_WORDS, ERRNO_WORDS, OTHER_KEYWORDS, SHUT_WORDS, STATEMENT_KEYWORDS, nameRoles } from '@epl/language-server';

export const GRAMMAR_FILE = path.join(__dirname, '..', 'syntaxes', 'epl.tmLanguage.json');

/** One TextMate rule (the subset this grammar uses). */
export interface Rule {
  readonly name?: string;
  readonly match?: string;
  readonly begin?: string;
  readonly end?: string;
  readonly contentName?: string;
  readonly captures?: Readonly<Record<string, Rule>>;
  readonly beginCaptures?: Readonly<Record<string, Rule>>;
  readonly endCaptures?: Readonly<Record<string, Rule>>;
  readonly patterns?: readonly Rule[];
  readonly include?: string;
}

export interface Grammar {
  readonly name: string;
  readonly scopeName: string;
  readonly fileTypes: readonly string[];
  readonly patterns: readonly Rule[];
  readonly repository: Readonly<Record<string, Rule>>;
}

/** `\b(?i:w1|w2|…)\b`, longest words first (alternation takes the first that matches). */
export function words(list: readonly string[]): string {
  const sorted = [...new Set(list)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return `\\b(?i:${sorted.join('|')})\\b`;
}

/** A descriptor name: all digits, or an identifier (never `max`/`timeout`, which `wait` may start with). */
const NAME = '(?:[0-9]+|(?!(?i:max|timeout)\\b)[A-Za-z_][A-Za-z0-9_]*)\\b';
/** Where a statement's operands end. */
const OPERANDS_END = '(?=[;}#]|=>|~>|$)';
const TCP_FLAGS = '(?:[FSRPUEW]*\\.[FSRPUEW]*|[FSRPUEW]+\\b|(?i:none)\\b)';

const scope = (name: string): Rule => ({ name });

/** The begin pattern of a statement with `count` leading names (`dup A -> B` has an arrow between them). */
function statementRule(keywords: readonly string[], count: number): Rule {
  let begin = `(${words(keywords)})`;
  const captures: Record<string, Rule> = { '1': scope('keyword.other.statement.epl') };
  let group = 2;
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      begin += '(?:\\s*(->))?';
      captures[String(group++)] = scope('keyword.operator.arrow.epl');
    }
    begin += `(?:\\s${i > 0 ? '*' : '+'}(${NAME}))?`;
    captures[String(group++)] = scope('variable.other.descriptor.epl');
  }
  return { name: 'meta.statement.epl', begin, end: OPERANDS_END, beginCaptures: captures, patterns: [{ include: '#operand' }] };
}

export function buildGrammar(): Grammar {
  // Statements grouped by how many names they start with (0: sleep; 1: close, read, …; 2: tcp, dup, add, …).
  const byCount = new Map<number, string[]>();
  for (const k of STATEMENT_KEYWORDS) byCount.set(nameRoles(k).length, [...(byCount.get(nameRoles(k).length) ?? []), k]);
  const statements = [...byCount].sort(([a], [b]) => b - a).map(([count, keywords]) => statementRule(keywords, count));
  const flags = words(EPOLL_FLAG_WORDS.map((f) => `(?:EPOLL)?${f}`));
  const options = OTHER_KEYWORDS.filter((w) => w !== 'scenario' && w !== 'ok' && w !== 'none');
  return {
    name: 'EPL',
    scopeName: 'source.epl',
    fileTypes: ['epl'],
    patterns: [{ include: '#comment' }, { include: '#block' }, { include: '#statement' }, { include: '#expectation' }, { include: '#punctuation' }],
    repository: {
      comment: { name: 'comment.line.number-sign.epl', match: '(#).*$', captures: { '1': scope('punctuation.definition.comment.epl') } },
      block: {
        name: 'meta.block.scenario.epl',
        begin: `(${words(['scenario'])})\\s*("(?:[^"\\\\]|\\\\.)*")\\s*(\\{)`,
        beginCaptures: {
          '1': scope('keyword.control.scenario.epl'),
          '2': { name: 'string.quoted.double.epl entity.name.section.scenario.epl', patterns: [{ include: '#escape' }] },
          '3': scope('punctuation.section.block.begin.epl'),
        },
        end: '\\}',
        endCaptures: { '0': scope('punctuation.section.block.end.epl') },
        patterns: [{ include: '#comment' }, { include: '#statement' }, { include: '#expectation' }, { include: '#punctuation' }],
      },
      statement: { patterns: [...statements, { name: 'keyword.control.scenario.epl', match: words(['scenario']) }] },
      operand: {
        patterns: [
          { include: '#string' },
          { match: `(${words(['data'])})\\s+(${NAME})`, captures: { '1': scope('keyword.other.option.epl'), '2': scope('variable.other.descriptor.epl') } },
          { name: 'keyword.other.option.epl', match: words(options) },
          { name: 'constant.language.flag.epl', match: flags },
          { name: 'constant.language.shutdown.epl', match: words(SHUT_WORDS.map((m) => `(?:SHUT_)?${m}`)) },
          { include: '#number' },
          { name: 'keyword.operator.or.epl', match: '\\|' },
          { name: 'keyword.operator.arrow.epl', match: '->' },
        ],
      },
      expectation: {
        patterns: [
          {
            name: 'meta.expectation.result.epl',
            begin: '=>',
            beginCaptures: { '0': scope('keyword.operator.result.epl') },
            end: '(?=[;}#]|~>|$)',
            patterns: [
              { match: `(${NAME})\\s*(:)`, captures: { '1': scope('variable.other.descriptor.epl'), '2': scope('punctuation.separator.key-value.epl') } },
              { name: 'constant.language.epl', match: words(['ok', 'none']) },
              { name: 'constant.language.errno.epl', match: words(ERRNO_WORDS) },
              { name: 'constant.language.flag.epl', match: flags },
              { include: '#string' },
              { include: '#number' },
              { name: 'keyword.operator.or.epl', match: '\\|' },
              { name: 'punctuation.separator.comma.epl', match: ',' },
            ],
          },
          {
            name: 'meta.expectation.wire.epl',
            begin: '~>',
            beginCaptures: { '0': scope('keyword.operator.wire.epl') },
            end: '(?=[;}#]|=>|$)',
            patterns: [
              {
                name: 'meta.segment.epl',
                match: `(${NAME})\\s*(>)\\s*(${NAME})(?:\\s+(${TCP_FLAGS}))?`,
                captures: {
                  '1': scope('variable.other.descriptor.epl'),
                  '2': scope('keyword.operator.direction.epl'),
                  '3': scope('variable.other.descriptor.epl'),
                  '4': scope('constant.language.tcp-flags.epl'),
                },
              },
              { name: 'constant.language.epl', match: words(['none']) },
              { name: 'keyword.other.option.epl', match: words(['len']) },
              { include: '#number' },
              { name: 'punctuation.separator.comma.epl', match: ',' },
            ],
          },
        ],
      },
      string: {
        name: 'string.quoted.double.epl',
        begin: '"',
        beginCaptures: { '0': scope('punctuation.definition.string.begin.epl') },
        end: '(")|$',
        endCaptures: { '1': scope('punctuation.definition.string.end.epl') },
        patterns: [{ include: '#escape' }],
      },
      escape: {
        patterns: [
          { name: 'constant.character.escape.epl', match: '\\\\(?:[ntr\\\\"\'?abfv]|x[0-9a-fA-F]{1,2}|[0-7]{1,3})' },
          { name: 'invalid.illegal.escape.epl', match: '\\\\.?' },
        ],
      },
      number: {
        patterns: [
          { name: 'constant.numeric.integer.hexadecimal.epl', match: '(?<![A-Za-z0-9_])-?0[xX][0-9a-fA-F]+\\b' },
          { name: 'constant.numeric.integer.decimal.epl', match: '(?<![A-Za-z0-9_])-?[0-9]+\\b' },
        ],
      },
      punctuation: {
        patterns: [
          { name: 'punctuation.terminator.statement.epl', match: ';' },
          { name: 'punctuation.section.block.end.epl', match: '\\}' },
        ],
      },
    },
  };
}

if (require.main === module) fs.writeFileSync(GRAMMAR_FILE, JSON.stringify(buildGrammar(), null, 2) + '\n');
