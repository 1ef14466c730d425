import { familyList, readArgs, runOptions, whole } from '../src/options';

describe('readArgs', () => {
  it('reads values inline or from the next argument, and positionals; a lone - is a file', () => {
    const r = readArgs(['--workers=3', '--filter', 'dup', 'a.epl', '-', '-v'], {
      workers: { type: 'string' },
      filter: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    expect(r).toEqual({ values: { workers: '3', filter: 'dup', verbose: true }, positionals: ['a.epl', '-'] });
  });
  it('says what is wrong in our words', () => {
    expect(readArgs(['--bogus', 'a'], {})).toBe("unknown option '--bogus'");
    expect(readArgs(['--filter'], { filter: { type: 'string' } })).toBe('--filter takes a value');
    expect(readArgs(['--json=1'], { json: { type: 'boolean' } })).toBe('--json takes no value');
  });
});

describe('whole', () => {
  it('says what a whole number option takes', () => {
    expect(whole('--workers', '0', 1, 256)).toBe('--workers takes a whole number from 1 to 256 (got 0)');
    expect(whole('--retries', '1.5', 0, 100)).toBe('--retries takes a whole number from 0 to 100 (got 1.5)');
    expect(whole('--count', undefined, 1, 9)).toBe('--count takes a whole number from 1 to 9 (got nothing)');
    expect(whole('--count', '7', 1, 9)).toBe(7);
  });
});

describe('familyList / runOptions', () => {
  it('reads family lists, deduplicated, and names an unknown family', () => {
    expect(familyList('--family', 'TCP, unix,tcp')).toEqual(['tcp', 'unix']);
    expect(familyList('--family', 'tcp,sctp')).toBe("unknown family 'sctp' (known: tcp, tcp6, unix)");
    expect(familyList('--family', '')).toBe('--family takes a list: tcp,tcp6,unix');
  });
  it('reads the options every running command takes', () => {
    expect(runOptions({ workers: '2', families: 'unix,tcp' })).toEqual({ workers: 2, families: ['unix', 'tcp'] });
    expect(runOptions({ workers: '257' })).toBe('--workers takes a whole number from 1 to 256 (got 257)');
    expect(runOptions({ family: 'x' })).toBe("unknown family 'x' (known: tcp, tcp6, unix)");
    expect(runOptions({})).toEqual({});
  });
});
