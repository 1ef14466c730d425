import { assertionResult, caseTitle, failureText, fileError, fileResult } from '../src/report';

const timing = { start: 1000, end: 1500, slowSeconds: 5 };

describe('caseTitle', () => {
  it('adds the family only in a matrix', () => {
    expect(caseTitle('dup then shutdown')).toBe('dup then shutdown');
    expect(caseTitle('dup then shutdown', 'tcp6')).toBe('dup then shutdown [tcp6]');
  });
});

describe('assertionResult', () => {
  it('titles a scenario by file and scenario, as jest names nested tests', () => {
    const a = assertionResult('a/b.epl', { title: 'x [unix]', status: 'passed' });
    expect(a).toMatchObject({ ancestorTitles: ['a/b.epl'], title: 'x [unix]', fullName: 'a/b.epl x [unix]', status: 'passed', failureMessages: [] });
  });

  it('keeps the failure message and details of a failed scenario', () => {
    const a = assertionResult('b.epl', { title: 'x', status: 'failed', message: 'b.epl:3:1: bad', details: { failures: [] } });
    expect(a.failureMessages).toEqual(['b.epl:3:1: bad']);
    expect(a.failureDetails).toEqual([{ failures: [] }]);
  });
});

describe('assertionResult with retries', () => {
  it("gives jest's invocations and retry reasons, the messages indented for the default reporter", () => {
    const a = assertionResult('b.epl', { title: 'x', status: 'passed', attempts: 2, retryReasons: ['b.epl:3:1: bad\n  read 6 => "b"'] });
    expect(a).toMatchObject({ status: 'passed', failureMessages: [], invocations: 2, retryReasons: ['b.epl:3:1: bad\n  read 6 => "b"'] });
    expect(a.retryMessages).toEqual(['    b.epl:3:1: bad\n      read 6 => "b"']);
  });

  it('adds none of it to a scenario run once', () => {
    const a = assertionResult('b.epl', { title: 'x', status: 'passed', attempts: 1 });
    expect(a).not.toHaveProperty('invocations');
    expect(a).not.toHaveProperty('retryReasons');
  });
});

describe('fileResult', () => {
  it('counts scenarios by status and prints only the failures', () => {
    const r = fileResult(
      '/abs/b.epl',
      'b.epl',
      [
        { title: 'one', status: 'passed' },
        { title: 'two', status: 'failed', message: 'b.epl:4:1: expected => "b", got "a"\n  read 6 => "b"\n  ^' },
        { title: 'three', status: 'pending' },
      ],
      timing,
    );
    expect(r).toMatchObject({ testFilePath: '/abs/b.epl', numPassingTests: 1, numFailingTests: 1, numPendingTests: 1, skipped: false });
    expect(r.testResults.map((t) => t.title)).toEqual(['one', 'two', 'three']);
    expect(r.perfStats).toMatchObject({ start: 1000, end: 1500, runtime: 500, slow: false });
    // Every line of the message survives, indented under the title: carets stay aligned.
    expect(r.failureMessage).toContain('● b.epl › two');
    expect(r.failureMessage).toContain('    b.epl:4:1: expected => "b", got "a"\n      read 6 => "b"\n      ^');
    expect(r.failureMessage).not.toContain('one');
  });

  it('has no failure message when everything passed, and is skipped when all were filtered out', () => {
    expect(fileResult('/b.epl', 'b.epl', [{ title: 'one', status: 'passed' }], timing).failureMessage).toBeNull();
    expect(fileResult('/b.epl', 'b.epl', [{ title: 'one', status: 'pending' }], timing).skipped).toBe(true);
  });

  it('marks a file slower than the threshold as slow', () => {
    expect(fileResult('/b.epl', 'b.epl', [], { start: 0, end: 6000, slowSeconds: 5 }).perfStats.slow).toBe(true);
  });
});

describe('failureText', () => {
  it('joins several failed scenarios', () => {
    const cases = [
      assertionResult('f.epl', { title: 'a', status: 'failed', message: 'A' }),
      assertionResult('f.epl', { title: 'b', status: 'failed', message: 'B' }),
    ];
    const text = failureText(cases) ?? '';
    expect(text.indexOf('● f.epl › a')).toBeLessThan(text.indexOf('● f.epl › b'));
    expect(text).toContain('    A\n');
  });
});

describe('fileError', () => {
  it('carries the located frame as the whole message, with no stack', () => {
    expect(fileError('f.epl:1:1: oops\n  x\n  ^')).toEqual({ message: 'f.epl:1:1: oops\n  x\n  ^', stack: '', type: 'SourceError' });
  });
});
