import type { Family } from '@epl/program';
import { OptionReader } from '../src/options';

function first(args: string[]): OptionReader {
  const r = new OptionReader(args);
  r.next();
  return r;
}

describe('OptionReader', () => {
  it('reads values inline or from the next argument', () => {
    const r = new OptionReader(['--workers=3', '--filter', 'dup', 'a.epl']);
    expect(r.next() && r.name).toBe('--workers');
    expect(r.whole(1, 256)).toBe(3);
    expect(r.next() && r.name).toBe('--filter');
    expect(r.value()).toBe('dup');
    expect(r.next() && r.isOption()).toBe(false);
    expect(r.arg).toBe('a.epl');
    expect(r.next()).toBe(false);
  });
  it('says what a whole number option takes', () => {
    expect(first(['--workers', '0']).whole(1, 256)).toBe('--workers takes a whole number from 1 to 256 (got 0)');
    expect(first(['--retries=1.5']).whole(0, 100)).toBe('--retries takes a whole number from 0 to 100 (got 1.5)');
    expect(first(['--count']).whole(1, 9)).toBe('--count takes a whole number from 1 to 9 (got nothing)');
  });
  it('reads family lists, deduplicated, and names an unknown family', () => {
    expect(first(['--family', 'TCP, unix,tcp']).families()).toEqual(['tcp', 'unix']);
    expect(first(['--family=tcp,sctp']).families()).toBe("unknown family 'sctp' (known: tcp, tcp6, unix)");
    expect(first(['--family']).families()).toBe('--family takes a list: tcp,tcp6,unix');
  });
  it('reads the options every running command takes, and leaves the others', () => {
    const out: { workers?: number; families?: Family[] } = {};
    expect(first(['--workers=2']).common(out)).toBe(true);
    expect(first(['--families', 'unix,tcp']).common(out)).toBe(true);
    expect(out).toEqual({ workers: 2, families: ['unix', 'tcp'] });
    expect(first(['--workers', '257']).common(out)).toBe('--workers takes a whole number from 1 to 256 (got 257)');
    expect(first(['--family', 'x']).common(out)).toBe("unknown family 'x' (known: tcp, tcp6, unix)");
    expect(first(['--filter', 'x']).common(out)).toBe(false);
    expect(first(['a.epl']).common(out)).toBe(false);
    expect(out).toEqual({ workers: 2, families: ['unix', 'tcp'] });
  });
  it('takes a lone - as a file name', () => {
    expect(first(['-']).isOption()).toBe(false);
    expect(first(['-x']).isOption()).toBe(true);
  });
});
