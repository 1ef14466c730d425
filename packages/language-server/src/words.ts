// The words of the language, taken from the project's own tables so that a new statement, flag
// or errno reaches completion and hover without an edit here: the lexer's reserved words
// (@epl/dsl), sorted by kind, and each statement's name operands (@epl/program's opcode table).
import { RESERVED_WORD_TYPES } from '@epl/dsl';
import { EPOLL_FLAGS, ERRNO, OPS, SHUT } from '@epl/program';
import type { OperandKind } from '@epl/program';

/** Statement keywords: every opcode's mnemonic without its variant suffix (`connect_new` is `connect`). */
export const STATEMENT_KEYWORDS: readonly string[] = [...new Set(OPS.map((o) => o.name.replace(/_.*/, '')))];

const statementSet: ReadonlySet<string> = new Set(STATEMENT_KEYWORDS);

/** The lexer's other keywords (`max timeout data oob len none ok scenario`), lower-case. */
export const OTHER_KEYWORDS: readonly string[] = [...RESERVED_WORD_TYPES]
  .filter(([word, type]) => type === 'kw_' + word && !statementSet.has(word))
  .map(([word]) => word);

/** Epoll flags as scripts and the printer write them (`IN`, `RDHUP`); `EPOLL` may prefix each. */
export const EPOLL_FLAG_WORDS: readonly string[] = Object.keys(EPOLL_FLAGS);
/** Shutdown modes (`RD WR RDWR`); `SHUT_` may prefix each. */
export const SHUT_WORDS: readonly string[] = Object.keys(SHUT);
/** errno names, aliases included. */
export const ERRNO_WORDS: readonly string[] = Object.keys(ERRNO);

/** True when the token type is a statement keyword's (`kw_dup`). */
export function isStatementType(type: string): boolean {
  return type.startsWith('kw_') && statementSet.has(type.slice(3));
}

/** Token types that are descriptor names where a name is expected (`5`, `client`). */
export function isNameType(type: string): boolean {
  return type === 'ident' || type === 'int';
}

/**
 * What a name operand does: `bind` a new descriptor to it, `rebind` it (dup2's target), `use`
 * it, or `bind-or-use` (connect's first name: a bare socket when it is open, else a new one).
 */
export type NameRole = 'bind' | 'rebind' | 'use' | 'bind-or-use';

const SLOT_KINDS: ReadonlySet<OperandKind> = new Set(['bind', 'rebind', 'use']);

function leadingRoles(operands: readonly OperandKind[]): ('bind' | 'rebind' | 'use')[] {
  const roles: ('bind' | 'rebind' | 'use')[] = [];
  for (const kind of operands) {
    if (!SLOT_KINDS.has(kind)) break;
    roles.push(kind as 'bind' | 'rebind' | 'use');
  }
  return roles;
}

const ROLES = new Map<string, readonly NameRole[]>();
for (const keyword of STATEMENT_KEYWORDS) {
  // The name operands a statement starts with are the leading slot operands of its op; a
  // statement with several ops (connect, write, send) merges them position by position.
  const variants = OPS.filter((o) => o.name === keyword || o.name.startsWith(keyword + '_')).map((o) => leadingRoles(o.operands));
  const length = Math.min(...variants.map((v) => v.length));
  const roles: NameRole[] = [];
  for (let i = 0; i < length; i++) {
    const kinds = new Set(variants.map((v) => v[i]));
    roles.push(kinds.size === 1 ? [...kinds][0] : kinds.has('bind') ? 'bind-or-use' : 'use');
  }
  ROLES.set(keyword, roles);
}

/** The roles of a statement's leading name operands, in source order (`dup A -> B`: use, bind). */
export function nameRoles(keyword: string): readonly NameRole[] {
  return ROLES.get(keyword.toLowerCase()) ?? [];
}
