import * as fs from 'node:fs';
import { REFERENCE } from '../src/generated/reference';
import { referenceEntry, referenceKeywords, referenceMarkdown } from '../src/reference';
import { STATEMENT_KEYWORDS } from '../src/words';

// generate.js is the build's extractor of the README tables (plain JS, run before tsc).
const generator = require('../generate.js') as {
  extractReference(grammar: string, executor: string): unknown;
  cells(row: string): string[];
  SOURCES: Record<'grammar' | 'executor', { file: string }>;
};

describe('the reference', () => {
  it('has an entry, with a form and syscalls, for every statement keyword, and for nothing else', () => {
    expect(referenceKeywords().sort()).toEqual([...STATEMENT_KEYWORDS].sort());
    for (const k of STATEMENT_KEYWORDS) {
      const e = referenceEntry(k)!;
      expect(e.syntax.length).toBeGreaterThan(0);
      for (const s of e.syntax) expect(s.split(' ')[0]).toBe(k);
      expect(e.syscalls.length).toBeGreaterThan(0);
    }
  });

  it('is what the READMEs say now (the generated file is current)', () => {
    const { grammar, executor } = generator.SOURCES;
    expect(generator.extractReference(fs.readFileSync(grammar.file, 'utf8'), fs.readFileSync(executor.file, 'utf8'))).toEqual(REFERENCE);
  });

  it('keeps the rows as written', () => {
    const write = referenceEntry('WRITE')!;
    expect(write.syntax).toEqual(['write A "s"', 'write A N']);
    expect(write.op).toBe('`write` / `write_n`');
    expect(referenceEntry('connect')!.syscalls.map((s) => s.ops)).toEqual(['`connect_new A L`', '`connect A L`']);
    expect(referenceEntry('frob')).toBeUndefined();
    expect(referenceEntry('toString')).toBeUndefined();
  });

  it('renders an entry as Markdown', () => {
    const md = referenceMarkdown(referenceEntry('dup2')!);
    expect(md.split('\n\n')[0]).toBe('`dup2 A -> B`');
    expect(md).toContain('B must have been bound before (open or closed)');
    expect(md).toContain('`dup3`');
    expect(referenceMarkdown(referenceEntry('tcp')!)).not.toContain('op: same');
  });
});

describe('cells', () => {
  it('splits a row at pipes outside code spans', () => {
    expect(generator.cells('| `send A "s" oob` | `send(MSG_OOB | MSG_NOSIGNAL)` |')).toEqual(['`send A "s" oob`', '`send(MSG_OOB | MSG_NOSIGNAL)`']);
    expect(generator.cells('| a \\| b | c |')).toEqual(['a | b', 'c']);
  });
});
