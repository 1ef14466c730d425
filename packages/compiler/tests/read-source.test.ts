import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SourceError } from '@epl/program';
import { compileFile, decodeSource, readSource } from '../src';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

function refusal(b: Uint8Array): SourceError {
  try {
    decodeSource(b, 'x.epl');
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw e;
  }
  throw new Error('decodeSource took invalid UTF-8');
}

describe('decodeSource', () => {
  it('decodes UTF-8 and keeps a byte order mark (the lexer skips it, record writes it back)', () => {
    expect(decodeSource(bytes('write w "é€"\n'), 'x.epl')).toBe('write w "é€"\n');
    expect(decodeSource(bytes([0xef, 0xbb, 0xbf], 'close 5'), 'x.epl')).toBe('\ufeffclose 5');
  });

  it('refuses invalid UTF-8 at the byte, naming it, never as U+FFFD', () => {
    const e = refusal(bytes('pipe r w\nwrite w "a', [0xff, 0xfe], '"\n'));
    expect(e.frame).toBe('x.epl:2:11: invalid UTF-8 byte 0xff in a string\n  write w "a??"\n            ^');
    expect([e.line, e.col, e.reason]).toEqual([2, 11, 'invalid UTF-8 byte 0xff in a string']);
  });

  it.each([
    ['in a comment', bytes('close 5 # caf', [0xe9], '\n'), 1, 14, 'invalid UTF-8 byte 0xe9 in a comment'],
    ['outside strings and comments', bytes('close ', [0x80]), 1, 7, 'invalid UTF-8 byte 0x80'],
    ['after an escaped quote', bytes('write w "\\"', [0xc0, 0x80], '"'), 1, 12, 'invalid UTF-8 byte 0xc0 in a string'],
    ['after a closed string', bytes('write w "#" ', [0xf5]), 1, 13, 'invalid UTF-8 byte 0xf5'],
    ['a surrogate', bytes('write w "', [0xed, 0xa0, 0x80], '"'), 1, 10, 'invalid UTF-8 byte 0xed in a string'],
    ['above U+10FFFF', bytes('write w "', [0xf4, 0x90, 0x80, 0x80], '"'), 1, 10, 'invalid UTF-8 byte 0xf4 in a string'],
    ['a sequence cut by the end', bytes('write w "é', [0xe2, 0x82]), 1, 11, 'invalid UTF-8 byte 0xe2 in a string'],
    ['after a byte order mark', bytes([0xef, 0xbb, 0xbf], 'close ', [0xff]), 1, 7, 'invalid UTF-8 byte 0xff'],
  ])('%s', (_what, b, line, col, reason) => {
    const e = refusal(b);
    expect([e.line, e.col, e.reason]).toEqual([line, col, reason]);
  });
});

describe('readSource and compileFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'epl-read-source-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('read files through decodeSource; an unreadable file is the fs error', () => {
    const bad = path.join(dir, 'bad.epl');
    writeFileSync(bad, bytes('pipe r w\nwrite w "', [0xff], '"\n'));
    expect(() => readSource(bad)).toThrow(`${bad}:2:10: invalid UTF-8 byte 0xff in a string`);
    expect(() => compileFile(bad)).toThrow(SourceError);
    const bom = path.join(dir, 'bom.epl');
    writeFileSync(bom, bytes([0xef, 0xbb, 0xbf], 'pipe r w\r\nwrite w "é" => 2\r\n'));
    expect(readSource(bom).startsWith('\ufeffpipe')).toBe(true);
    const [p] = compileFile(bom);
    expect(Array.from(p.strings)).toEqual([0xc3, 0xa9]);
    expect(p.steps[1].span).toMatchObject({ line: 2, col: 1 });
    expect(() => readSource(path.join(dir, 'missing.epl'))).toThrow(/ENOENT/);
  });
});
