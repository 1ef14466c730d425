// `epl compare` through main(): the table, exit codes, located errors for bad input.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/main';
import { captureIo } from './io';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'epl-cli-compare-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function epl(...args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** One `epl run --json` line: scenario "s" of a.epl, whose step 2 (`read 6`) got `got`. */
function line(kernel: string, got: string, title = 's'): string {
  const steps = [
    { line: 1, col: 1, op: 'tcp 5 6', result: 0, fds: {}, wire: [], got: 'ok', pass: true },
    { line: 2, col: 3, op: 'read 6', result: 0, fds: {}, wire: [], got, pass: true },
  ];
  return JSON.stringify({ file: 'a.epl', title, family: 'tcp', kernel, netns: true, wire: { captured: true }, pass: true, attempts: 1, steps });
}

function file(name: string, lines: string[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

describe('epl compare', () => {
  it('prints the steps where kernels differ, each kernel’s answer, and exits 1', async () => {
    const a = file('a.json', [line('5.10.0-32-amd64', 'EAGAIN'), line('5.10.0-32-amd64', '"x"', 't')]);
    const b = file('b.json', [line('6.1.0-57-amd64', '""'), line('6.1.0-57-amd64', '"x"', 't')]);
    const r = await epl('compare', a, b);
    expect(r).toEqual({
      code: 1,
      err: '',
      out: [
        'kernels differ (5.10.0-32-amd64, 6.1.0-57-amd64): 1 step',
        '  step       statement  5.10.0-32-amd64  6.1.0-57-amd64',
        '  a.epl:2:3  read 6     EAGAIN ~> none   "" ~> none',
        '2 scenario runs compared across 2 kernels',
        '',
      ].join('\n'),
    });
  });

  it('exits 0 when the kernels agree, and notes scenarios some runs lack', async () => {
    const a = file('a.json', [line('5.10.0-32-amd64', '"x"'), line('5.10.0-32-amd64', '"x"', 'only in a')]);
    const b = file('b.json', [line('6.18.44', '"x"')]);
    const r = await epl('compare', a, b);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'kernels agree (5.10.0-32-amd64, 6.18.44): no step differs\n2 scenario runs compared across 2 kernels\n1 of them missing from some runs (other --filter, --family or files): compared where present\n',
    );
  });

  it('names the file and line of a line that is not a record (exit 2)', async () => {
    const a = file('a.json', [line('5.10', '"x"')]);
    const b = file('b.json', [line('6.1', '"x"'), 'PASS a.epl (1 scenario)']);
    const r = await epl('compare', a, b);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^epl compare: ${b.replace(/[.]/g, '\\.')}:2: not JSON \\(.*\\): a line of \`epl run --json\` was expected\\n$`));
  });

  it('exits 2 for a file it cannot read, records of one kernel only, and no files', async () => {
    expect(await epl('compare', path.join(dir, 'none.json'))).toEqual({
      code: 2,
      out: '',
      err: `epl compare: cannot read '${path.join(dir, 'none.json')}': ENOENT\n`,
    });
    const a = file('a.json', [line('6.1', '"x"')]);
    expect((await epl('compare', a)).err).toBe('epl compare: nothing to compare: every record ran on 6.1 (give runs from two kernels or more)\n');
    expect((await epl('compare')).err).toBe('epl compare: no files given\nusage: epl compare FILE…\n');
    expect((await epl('compare', '--frob', a)).code).toBe(2);
  });
});
