import { errorAt, failuresOf, formatFailureText, runName, stepList } from '../src/text';
import { sample, sampleFailing } from './record-fixtures';

describe('failuresOf / formatFailureText', () => {
  it('each failed expectation, located, in step order', () => {
    const r = sampleFailing();
    const f = failuresOf(r);
    expect(f).toEqual([
      { at: 'a.epl:7:3', statement: 'shutdown 5 WR', arrow: '~>', expected: '5 > 6 F., 6 > 5 .', got: '5 > 6 F.' },
      { at: 'a.epl:8:3', statement: 'wait', arrow: '=>', expected: '5: IN|OUT, 6: IN|OUT|RDHUP', got: '5: OUT, 6: IN|OUT|RDHUP' },
    ]);
    expect(formatFailureText(r, f[1])).toBe(
      'a.epl:8:3: scenario "shutdown WR" [tcp]: => expectation failed\n  wait\n  expected: => 5: IN|OUT, 6: IN|OUT|RDHUP\n  got:      => 5: OUT, 6: IN|OUT|RDHUP',
    );
    expect(failuresOf(sample())).toEqual([]);
  });
});

describe('stepList', () => {
  it('marks an unchecked wire and ends with the error and the capture note', () => {
    const r = sample({ wire: { captured: false, reason: 'no CAP_NET_RAW' }, error: 'boom', pass: false });
    const steps = r.steps.slice(0, 5).map(({ wire: _w, ...s }) => (s.wireExpect ? { ...s, wireChecked: false } : s));
    const text = stepList({ ...r, steps });
    expect(text.split('\n').slice(-4)).toEqual([
      'UNCK 7:3     shutdown 5 WR         => 0',
      '             (~> 5 > 6 F. not checked: wire not captured)',
      'ERROR did not complete: boom',
      '(wire not captured: no CAP_NET_RAW)',
    ]);
    expect(errorAt({ ...r, steps })).toBe('a.epl:7:3');
    expect(errorAt({ ...r, steps: [] })).toBe('a.epl');
  });

  it('without setup flags (older records): no headings', () => {
    const r = sample();
    const text = stepList({ ...r, steps: r.steps.map(({ setup: _s, ...s }) => s) });
    expect(text.split('\n')[0]).toBe('     1:1     tcp 5 6               => ok');
  });
});

describe('runName', () => {
  it('is the title and family, and the kernel when asked', () => {
    expect(runName(sample(), false)).toBe('shutdown WR [tcp]');
    expect(runName(sample(), true)).toBe('shutdown WR [tcp] (6.18.44)');
  });
});
