import { isName, RESERVED_WORD_TYPES } from '../src/words';

describe('isName', () => {
  it.each(['5', '05', 'client', 'S', 'R', 'x_1', '_t', 'Tcp2'])('%s is a name', (n) => expect(isName(n)).toBe(true));
  it.each(['', '5a', '0x5', '-1', 'tcp', 'TCP', 'ET', 'epollin', 'EPIPE', 'rd', 'SHUT_WR', 'none', 'ok', 'data', 'scenario', 'a b', 'é'])('%s is not', (n) =>
    expect(isName(n)).toBe(false),
  );
  it('knows the type of every reserved word', () => {
    expect(RESERVED_WORD_TYPES.get('dup2')).toBe('kw_dup2');
    expect(RESERVED_WORD_TYPES.get('epollexclusive')).toBe('eflag');
    expect(RESERVED_WORD_TYPES.get('edeadlock')).toBe('errno');
  });
});
