import { RESERVED_WORD_TYPES } from '@epl/dsl';
import { EPOLL_FLAGS, ERRNO, OPS, SHUT } from '@epl/program';
import { EPOLL_FLAG_WORDS, ERRNO_WORDS, OTHER_KEYWORDS, SHUT_WORDS, STATEMENT_KEYWORDS, isStatementType, nameRoles } from '../src/words';

describe('word lists', () => {
  it('has every statement keyword of the lexer, and only those', () => {
    const lexed = [...RESERVED_WORD_TYPES].filter(([w, t]) => t === 'kw_' + w).map(([w]) => w);
    expect([...STATEMENT_KEYWORDS, ...OTHER_KEYWORDS].sort()).toEqual(lexed.sort());
    expect([...OTHER_KEYWORDS].sort()).toEqual(['data', 'len', 'max', 'none', 'ok', 'oob', 'scenario', 'timeout']);
    expect(STATEMENT_KEYWORDS).toContain('connect');
    expect(STATEMENT_KEYWORDS).not.toContain('connect_new');
    for (const k of STATEMENT_KEYWORDS) expect(RESERVED_WORD_TYPES.get(k)).toBe('kw_' + k);
  });

  it('takes flags, modes and errno names from @epl/program', () => {
    expect(EPOLL_FLAG_WORDS).toEqual(Object.keys(EPOLL_FLAGS));
    expect(SHUT_WORDS).toEqual(Object.keys(SHUT));
    expect(ERRNO_WORDS).toEqual(Object.keys(ERRNO));
    for (const f of EPOLL_FLAG_WORDS) expect(RESERVED_WORD_TYPES.get('epoll' + f.toLowerCase())).toBe('eflag');
  });

  it('tells statement keyword types from the others', () => {
    expect(isStatementType('kw_dup2')).toBe(true);
    expect(isStatementType('kw_max')).toBe(false);
    expect(isStatementType('ident')).toBe(false);
  });
});

describe('nameRoles', () => {
  it.each([
    ['tcp', ['bind', 'bind']],
    ['eventfd', ['bind']],
    ['dup', ['use', 'bind']],
    ['DUP2', ['use', 'rebind']],
    ['accept', ['use', 'bind']],
    ['connect', ['bind-or-use', 'use']],
    ['add', ['use', 'use']],
    ['wait', ['use']],
    ['write', ['use']],
    ['send', ['use']],
    ['sleep', []],
    ['frob', []],
  ])('%s', (keyword, roles) => expect(nameRoles(keyword)).toEqual(roles));

  it('gives every opcode a statement with roles', () => {
    for (const op of OPS) expect(STATEMENT_KEYWORDS).toContain(op.name.replace(/_.*/, ''));
  });
});
