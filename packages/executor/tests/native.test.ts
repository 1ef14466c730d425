// The addon and the contract agree: opcode table, limits and results layout come from the C++
// header and must equal @epl/program's (and view.ts's) numbers exactly.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LIMITS, OPS, OP_WORDS } from '@epl/program';
import { LAYOUT, nativeInfo } from '../src';
import { ADDON_PATH, loadAddon } from '../src/native';

describe('the addon mirrors the contract', () => {
  const info = nativeInfo();

  it('has the same opcode table (codes, names, operand kinds in order)', () => {
    expect(info.ops).toEqual(OPS.map((o) => ({ code: o.code, name: o.name, operands: [...o.operands] })));
    expect(info.opWords).toBe(OP_WORDS);
  });

  it('has the same limits', () => {
    expect(info.limits).toEqual({ ...LIMITS });
  });

  it('lays results out as ResultView reads them', () => {
    expect(info.layout).toEqual({ ...LAYOUT });
  });
});

describe('loading', () => {
  it('says what to run when the addon is missing', () => {
    expect(() => loadAddon('/nonexistent/epl_executor.node')).toThrow(
      /could not be loaded from \/nonexistent\/epl_executor\.node .*run `npm install` at the repository root: it builds the addon with node-gyp/,
    );
  });

  it('says the same when the file is not an addon', () => {
    const bogus = join(mkdtempSync(join(tmpdir(), 'epl-executor-')), 'epl_executor.node');
    writeFileSync(bogus, 'not a shared object');
    expect(() => loadAddon(bogus)).toThrow(/could not be loaded .*run `npm install` at the repository root/);
    expect(ADDON_PATH).toMatch(/build\/Release\/epl_executor\.node$/);
  });

  it('leaves SIGPIPE ignored in the process (a write to a broken pipe answers EPIPE)', () => {
    nativeInfo();
    const ign = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    expect(ign).not.toBeNull();
    expect((BigInt('0x' + ign![1]) >> 12n) & 1n).toBe(1n); // SIGPIPE is signal 13: bit 12
  });
});
