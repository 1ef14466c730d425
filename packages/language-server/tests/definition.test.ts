import { analyze } from '../src/analysis';
import { definition } from '../src/definition';
import { cursor, find, foundingText } from './helpers';

function defined(marked: string): [number, number, string] | undefined {
  const { text, line, character } = cursor(marked);
  const w = definition(analyze(text), line, character);
  return w && [w.line, w.start, w.text];
}

describe('definition', () => {
  it('goes to the statement that bound the name most recently before the use', () => {
    expect(defined('tcp 5 6\ndup 5 -> 7\nclose 7\ndup 6 -> 7\nclose @7')).toEqual([3, 9, '7']);
    expect(defined('tcp 5 6\ndup 5 -> 7\nclose @7\ndup 6 -> 7')).toEqual([1, 9, '7']);
    expect(defined('tcp 5 6; epoll 3; add 3 5 IN; wait => @5: IN')).toEqual([0, 4, '5']);
    expect(defined('tcp 5 6\nclose 5 ~> 5 > @6 F.')).toEqual([0, 6, '6']);
  });

  it('goes through the setup into a block, but not from one block into another', () => {
    const text = foundingText();
    const use = find(text, 'close 7                       => 0  ~> 5 > 6 F.', '5');
    const { line } = find(text, 'tcp 5 6', 'tcp');
    const a = analyze(text);
    expect(definition(a, use.line, use.character)).toMatchObject({ line, start: 4, text: '5' });
    expect(defined('scenario "a" { pipe r w }\nscenario "b" { close @r }')).toBeUndefined();
  });

  it('has none for words that are not names, or names never bound', () => {
    expect(defined('tcp 5 6\nclo@se 5')).toBeUndefined();
    expect(defined('tcp 5 6\nread 5 1@0')).toBeUndefined();
    expect(defined('close @x')).toBeUndefined();
    expect(defined('tcp 5 6  @  ')).toBeUndefined();
  });

  it('is the word itself at a binding', () => {
    expect(defined('tcp @5 6')).toEqual([0, 4, '5']);
  });
});
