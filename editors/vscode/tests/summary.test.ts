import { summaryText } from '../src/summary';

describe('summaryText', () => {
  it('says how many scenarios passed, on which kernel', () => {
    expect(summaryText({ scenarios: 5, passed: 5, kernel: '6.18.44', failures: [] })).toBe('EPL: 5 scenarios, 5 passed (kernel 6.18.44)');
    expect(summaryText({ scenarios: 1, passed: 1, failures: [] })).toBe('EPL: 1 scenario, 1 passed');
  });

  it('points at the failed expectations and says when the wire was not captured', () => {
    const failure = { line: 1, start: 0, end: 4, message: 'x' };
    expect(summaryText({ scenarios: 2, passed: 1, kernel: '6.1.0', failures: [failure], wireNotCaptured: 'no CAP_NET_RAW' })).toBe(
      'EPL: 2 scenarios, 1 passed (kernel 6.1.0); 1 failed expectation, see Problems; wire not captured: no CAP_NET_RAW',
    );
  });

  it('quotes the first line of a compile error', () => {
    expect(summaryText({ scenarios: 0, passed: 0, failures: [], error: "/a.epl:2:7: unknown name '8'\n  close 8\n        ^" })).toBe(
      "EPL: the file does not compile: /a.epl:2:7: unknown name '8'",
    );
  });
});
