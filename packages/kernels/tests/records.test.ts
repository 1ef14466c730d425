import { RecordsError, parseRecords } from '../src/records';

const record = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    file: 'a.epl',
    title: 't',
    family: 'tcp',
    kernel: '6.1.0-57-amd64',
    netns: true,
    wire: { captured: true },
    pass: true,
    attempts: 1,
    steps: [{ line: 1, col: 1, op: 'tcp 5 6', result: 0, fds: {}, wire: [{ src: '5', dst: '6', flags: 'S', len: 0 }], got: 'ok', pass: true }],
    ...over,
  });

describe('parseRecords', () => {
  it('reads one record per line and skips blank lines', () => {
    const r = parseRecords(`${record()}\n\n${record({ title: 'u' })}\n`, 'a.json');
    expect(r.map((x) => x.title)).toEqual(['t', 'u']);
  });

  it('names the file and line of a line that is not JSON', () => {
    expect(() => parseRecords(`${record()}\nPASS a.epl (1 scenario)\n`, 'run.json')).toThrow(RecordsError);
    expect(() => parseRecords(`${record()}\nPASS a.epl\n`, 'run.json')).toThrow(/^run\.json:2: not JSON \(.*\): a line of `epl run --json` was expected$/);
  });

  it('names the missing field of a JSON line that is not a record', () => {
    expect(() => parseRecords('{"file":"a.epl"}', 'x.json')).toThrow('x.json:1: not a record of `epl run --json`: no "title" string');
    expect(() => parseRecords(record({ kernel: 6 }), 'x.json')).toThrow('x.json:1: not a record of `epl run --json`: no "kernel" string');
    expect(() => parseRecords(record({ steps: [{ line: 1, col: 1, op: 'x' }] }), 'x.json')).toThrow('steps[0] has no "op" and "got" strings');
    expect(() => parseRecords(record({ steps: [{ line: 1, col: 1, op: 'x', got: '0', wire: [{ src: '5' }] }] }), 'x.json')).toThrow(
      'steps[0].wire holds a segment without src, dst, flags and len',
    );
    expect(() => parseRecords('[1,2]', 'x.json')).toThrow('x.json:1: not a record of `epl run --json`: not a JSON object');
  });
});
