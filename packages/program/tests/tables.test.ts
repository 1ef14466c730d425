import { epollFlag, errnoName, errnoNumber, formatEpollFlags, formatTcpFlags, parseTcpFlags, shutMode } from '../src/tables';

describe('tables', () => {
  it('reads epoll flags with or without the prefix, any case', () => {
    expect(epollFlag('IN')).toBe(1);
    expect(epollFlag('epollrdhup')).toBe(0x2000);
    expect(epollFlag('ET')).toBe(0x80000000);
    expect(epollFlag('BOGUS')).toBeUndefined();
  });
  it('prints epoll masks in a fixed order, unknown bits in hex', () => {
    expect(formatEpollFlags(0x2000 | 4 | 1)).toBe('IN|OUT|RDHUP');
    expect(formatEpollFlags(0)).toBe('0');
    expect(formatEpollFlags(0x800)).toBe('0x800');
    expect(formatEpollFlags(0x80000000 | 1)).toBe('IN|ET');
    expect(formatEpollFlags(0xf0000000 | 4)).toBe('OUT|EXCLUSIVE|WAKEUP|ONESHOT|ET');
  });
  it('maps shutdown modes', () => {
    expect(shutMode('SHUT_WR')).toBe(1);
    expect(shutMode('rdwr')).toBe(2);
    expect(shutMode('x')).toBeUndefined();
  });
  it('round-trips tcp flags through tcpdump letters', () => {
    for (const s of ['S', 'S.', '.', 'P.', 'F.', 'FP.', 'R', 'R.']) expect(formatTcpFlags(parseTcpFlags(s)!)).toBe(s);
    expect(parseTcpFlags('SS')).toBeUndefined();
    expect(parseTcpFlags('X')).toBeUndefined();
  });
  it('names errno values', () => {
    expect(errnoName(32)).toBe('EPIPE');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoNumber('ewouldblock')).toBe(11);
    expect(errnoName(4000)).toBe('E4000');
  });
});
