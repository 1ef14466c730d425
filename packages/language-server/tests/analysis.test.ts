import { analyze, blockAt, namesInScope, statementAt, wordAt } from '../src/analysis';
import type { Analysis, Statement } from '../src/analysis';
import { find, foundingText } from './helpers';

const roles = (s: Statement) => s.names.map((n) => `${n.word.text}:${n.role}`);
const bindingLine = (s: Statement, name: string) => s.names.find((n) => n.word.text === name)?.binding?.line;

describe('analyze', () => {
  const text = foundingText();
  const a = analyze(text);

  it('reads the founding file: its setup, five blocks and every statement', () => {
    expect(a.blocks.map((b) => b.title.slice(0, 2))).toEqual(['1.', '2.', '3.', '4.', '5.']);
    expect(a.blocks.every((b) => b.close !== undefined)).toBe(true);
    expect(a.statements.filter((s) => s.block === -1).map((s) => s.text)).toEqual([
      'tcp 5 6',
      'epoll 3',
      'add 3 5 IN|OUT|ERR|HUP|RDHUP',
      'add 3 6 IN|OUT|ERR|HUP|RDHUP',
      'wait',
    ]);
    expect(a.statements).toHaveLength(5 + 10 + 14 + 13 + 5 + 5);
    expect(a.statements.every((s) => s.known)).toBe(true);
  });

  it('gives each name its role, expectations included', () => {
    const [tcp, , add] = a.statements;
    expect(roles(tcp)).toEqual(['5:bind', '6:bind', '5:wire', '6:wire', '6:wire', '5:wire', '5:wire', '6:wire']);
    expect(roles(add)).toEqual(['3:use', '5:use']);
    const wait = a.statements[4];
    expect(roles(wait)).toEqual(['5:ready', '6:ready']);
    const dup = a.statements.find((s) => s.text === 'dup 5 -> 7')!;
    expect(roles(dup)).toEqual(['5:use', '7:bind']);
  });

  it('binds each use to the latest binding in the setup and its own block', () => {
    const tcpLine = find(text, 'tcp 5 6', 'tcp').line;
    const dups = a.statements.filter((s) => s.text === 'dup 5 -> 7');
    const closes7 = a.statements.filter((s) => s.text === 'close 7');
    expect(closes7).toHaveLength(1);
    expect(bindingLine(closes7[0], '7')).toBe(dups[0].keyword.line);
    // Block 4's 7 is its own dup's, not block 3's.
    const shut7 = a.statements.find((s) => s.text === 'shutdown 7 RD')!;
    expect(bindingLine(shut7, '7')).toBe(dups[1].keyword.line);
    expect(bindingLine(shut7, '7')).not.toBe(dups[0].keyword.line);
    expect(bindingLine(dups[2], '5')).toBe(tcpLine);
  });

  it('reads connect A L as a bind unless A is open, and closing keeps the binding', () => {
    const b = analyze('socket s; listen l\nconnect s l\nconnect c l\nclose c\nconnect c l\nwrite c "x"');
    expect(roles(b.statements[2])).toEqual(['s:use', 'l:use']);
    expect(roles(b.statements[3])).toEqual(['c:bind', 'l:use']);
    expect(roles(b.statements[5])).toEqual(['c:bind', 'l:use']);
    expect(bindingLine(b.statements[6], 'c')).toBe(4);
    const stale = analyze('pipe r w\nclose r\nread r');
    expect(bindingLine(stale.statements[2], 'r')).toBe(0);
  });

  it('names a dup2 target as rebound there, after its earlier binding', () => {
    const b = analyze('pipe r w\npipe x y\ndup2 r -> x\nclose x');
    expect(roles(b.statements[2])).toEqual(['r:use', 'x:rebind']);
    expect(b.statements[2].names[1].binding?.line).toBe(1);
    expect(bindingLine(b.statements[3], 'x')).toBe(2);
  });

  it('finds data names, wait options and the name an unknown statement would have', () => {
    const b = analyze('epoll e; pipe r w\nadd e r IN|ET data w => 0\nwait e max 8 timeout 0\nwait max 1\neventfd f 7\nfrob x y');
    expect(roles(b.statements[2])).toEqual(['e:use', 'r:use', 'w:data']);
    expect(roles(b.statements[3])).toEqual(['e:use']);
    expect(roles(b.statements[4])).toEqual([]);
    expect(roles(b.statements[5])).toEqual(['f:bind']);
    expect(b.statements[6].known).toBe(false);
    expect(roles(b.statements[6])).toEqual([]);
  });

  it('keeps reading around lexical errors and unfinished blocks', () => {
    const b = analyze('tcp 5 6\nwrite 5 "unterminated\nclose 5a\nscenario "x" {\n  close 6\nscenario "y"\n  close 5');
    expect(b.statements.map((s) => s.text)).toEqual(['tcp 5 6', 'write 5', 'close', 'close 6', 'close 5']);
    expect(b.blocks.map((x) => x.title)).toEqual(['x', 'y']);
    expect(b.blocks.every((x) => x.close === undefined)).toBe(true);
    expect(b.statements[3].block).toBe(0);
    expect(b.statements[4].block).toBe(1);
    expect(bindingLine(b.statements[4], '5')).toBe(0);
  });

  it('reads a one-line block, CRLF text and escapes in titles', () => {
    const b = analyze('tcp 5 6\r\nscenario "a\\x41\\n" { close 5; close 6 }\r\nscenario "z" {}\r\n');
    expect(b.blocks.map((x) => x.title)).toEqual(['aA\n', 'z']);
    expect(b.statements.map((s) => [s.text, s.block])).toEqual([
      ['tcp 5 6', -1],
      ['close 5', 0],
      ['close 6', 0],
    ]);
  });

  it('never throws', () => {
    for (const t of ['', '\n\n', '}', '{', '"', 'scenario', 'scenario {', '=> ok', '~> 5 >', 'tcp -> ->', '\x00\x01', 'é ü', 'add | |'])
      expect(() => analyze(t)).not.toThrow();
  });
});

describe('positions', () => {
  const text = foundingText();
  const a: Analysis = analyze(text);

  it('finds the word, statement and block at a position', () => {
    const p = find(text, 'close 7                       => 0  ~> 5 > 6 F.', '7');
    expect(wordAt(a, p.line, p.character)?.text).toBe('7');
    expect(wordAt(a, p.line, p.character + 1)?.text).toBe('7');
    expect(statementAt(a, p.line, p.character)?.text).toBe('close 7');
    expect(a.blocks[blockAt(a, p.line, p.character)].title).toMatch(/^3\./);
    expect(blockAt(a, find(text, 'epoll 3', 'epoll').line, 0)).toBe(-1);
    expect(wordAt(a, find(text, '# The five', '#').line, 3)).toBeUndefined();
  });

  it('lists the names in scope: the setup and the block so far', () => {
    const inBlock3 = find(text, 'close 7                       => 0  ~> 5 > 6 F.', 'close');
    const scope = namesInScope(a, inBlock3.line, inBlock3.character);
    expect([...scope.keys()].sort()).toEqual(['3', '5', '6', '7']);
    expect(scope.get('5')?.open).toBe(false);
    expect(scope.get('7')?.open).toBe(true);
    const inBlock1 = find(text, 'shutdown 5 RD', 'shutdown');
    expect([...namesInScope(a, inBlock1.line, inBlock1.character).keys()].sort()).toEqual(['3', '5', '6']);
    const inSetup = find(text, 'epoll 3', 'epoll');
    expect([...namesInScope(a, inSetup.line, inSetup.character).keys()].sort()).toEqual(['5', '6']);
  });
});
