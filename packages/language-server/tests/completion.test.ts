import { EPOLL_FLAGS, ERRNO } from '@epl/program';
import { analyze } from '../src/analysis';
import { complete } from '../src/completion';
import { STATEMENT_KEYWORDS } from '../src/words';
import { cursor } from './helpers';

const SETUP = 'tcp 5 6\nepoll 3\npipe r w\nclose w\n';

/** The labels offered at the `@` of a text. */
function labels(marked: string): string[] {
  const { text, line, character } = cursor(marked);
  return complete(analyze(text), line, character).map((i) => i.label);
}

const flags = Object.keys(EPOLL_FLAGS);

describe('complete', () => {
  it('offers statement keywords at the start of a statement, and scenario outside blocks', () => {
    expect(labels(SETUP + '@')).toEqual([...STATEMENT_KEYWORDS, 'scenario']);
    expect(labels(SETUP + 'sh@')).toEqual([...STATEMENT_KEYWORDS, 'scenario']);
    expect(labels(SETUP + 'close 5; @')).toEqual([...STATEMENT_KEYWORDS, 'scenario']);
    expect(labels(SETUP + 'scenario "x" {\n  @\n}')).toEqual(STATEMENT_KEYWORDS);
    expect(labels(SETUP + 'scenario "x" { @')).toEqual(STATEMENT_KEYWORDS);
  });

  it('documents each statement keyword from the reference', () => {
    const { text, line, character } = cursor('@');
    const dup = complete(analyze(text), line, character).find((i) => i.label === 'dup')!;
    expect(dup.detail).toBe('dup A -> B');
    expect(JSON.stringify(dup.documentation)).toContain('F_DUPFD_CLOEXEC');
  });

  it('offers the names in scope where a statement uses one, numbers first', () => {
    expect(labels(SETUP + 'close @')).toEqual(['3', '5', '6', 'r', 'w']);
    expect(labels(SETUP + 'add 3 @')).toEqual(['3', '5', '6', 'r', 'w']);
    expect(labels(SETUP + 'dup 5 -> 7\nshutdown @')).toEqual(['3', '5', '6', '7', 'r', 'w']);
    expect(labels(SETUP + 'dup2 5 -> @')).toEqual(['3', '5', '6', 'r', 'w']);
  });

  it('offers only names bound before the cursor, in the setup and the current block', () => {
    const text = 'tcp 5 6\nscenario "a" {\n  pipe r w\n}\nscenario "b" {\n  eventfd e\n  close @\n  pipe x y\n}';
    expect(labels(text)).toEqual(['5', '6', 'e']);
    expect(labels('close @\ntcp 5 6')).toEqual([]);
  });

  it('offers no names where a statement binds a new one', () => {
    expect(labels(SETUP + 'tcp @')).toEqual([]);
    expect(labels(SETUP + 'tcp a @')).toEqual([]);
    expect(labels(SETUP + 'dup 5 @')).toEqual([]);
    expect(labels(SETUP + 'dup 5 -> @')).toEqual([]);
    expect(labels(SETUP + 'sleep @')).toEqual([]);
  });

  it('says whether a name was closed', () => {
    const { text, line, character } = cursor(SETUP + 'read @');
    const items = complete(analyze(text), line, character);
    expect(items.find((i) => i.label === 'w')?.detail).toBe('bound, then closed (line 3)');
    expect(items.find((i) => i.label === 'r')?.detail).toBe('bound (line 3)');
  });

  it('offers flags after add E A and after |', () => {
    expect(labels(SETUP + 'add 3 5 @')).toEqual(flags);
    expect(labels(SETUP + 'add 3 5 IN|@')).toEqual(flags);
    expect(labels(SETUP + 'mod 3 5 IN | O@')).toEqual(flags);
    expect(labels(SETUP + 'add 3 5 IN @')).toEqual(['data']);
    expect(labels(SETUP + 'add 3 5 IN data @')).toEqual(['3', '5', '6', 'r', 'w']);
  });

  it('offers errno names, ok and none after =>', () => {
    const after = labels(SETUP + 'write 5 "a" => @');
    expect(after.slice(0, 2)).toEqual(['ok', 'none']);
    expect(after.slice(2)).toEqual(Object.keys(ERRNO));
    expect(labels(SETUP + 'close 5 => E@')).toEqual(after);
    expect(labels(SETUP + 'close 5 => 0 @')).toEqual([]);
  });

  it('offers a ready list after wait =>', () => {
    const after = labels(SETUP + 'wait => @');
    expect(after).toEqual(expect.arrayContaining(['ok', 'none', 'EPIPE', '3', '5', 'r']));
    expect(labels(SETUP + 'wait => 5: @')).toEqual(flags);
    expect(labels(SETUP + 'wait => 5: IN|@')).toEqual(flags);
    expect(labels(SETUP + 'wait => 5: IN, @')).toEqual(['3', '5', '6', 'r', 'w']);
  });

  it('offers wire segments after ~>', () => {
    expect(labels(SETUP + 'close 5 ~> @')).toEqual(['none', '3', '5', '6', 'r', 'w']);
    expect(labels(SETUP + 'close 5 ~> 5 > @')).toEqual(['3', '5', '6', 'r', 'w']);
    expect(labels(SETUP + 'close 5 ~> 5 > 6 @')).toEqual(['S', 'S.', '.', 'P.', 'F.', 'FP.', 'R', 'R.']);
    expect(labels(SETUP + 'close 5 ~> 5 > 6 F. @')).toEqual(['len']);
    expect(labels(SETUP + 'close 5 ~> 5 > 6 F., @')).toEqual(['3', '5', '6', 'r', 'w']);
    // The statement's own names count once they are written.
    expect(labels('tcp a b => ok ~> @')).toEqual(['none', 'a', 'b']);
  });

  it('offers shutdown modes, wait options and oob', () => {
    expect(labels(SETUP + 'shutdown 5 @')).toEqual(['RD', 'WR', 'RDWR']);
    expect(labels(SETUP + 'wait @')).toEqual(['3', '5', '6', 'r', 'w', 'max', 'timeout']);
    expect(labels(SETUP + 'wait 3 @')).toEqual(['max', 'timeout']);
    expect(labels(SETUP + 'wait 3 max 8 @')).toEqual(['timeout']);
    expect(labels(SETUP + 'wait max @')).toEqual([]);
    expect(labels(SETUP + 'send 5 "!" @')).toEqual(['oob']);
  });

  it('offers nothing in strings, comments, unknown statements or past the end', () => {
    expect(labels(SETUP + 'write 5 "a @')).toEqual([]);
    expect(labels(SETUP + 'write 5 "a;b" # close @')).toEqual([]);
    expect(labels(SETUP + 'frob @')).toEqual([]);
    expect(labels(SETUP + 'close 5a @')).toEqual([]);
    expect(complete(analyze('tcp 5 6'), 9, 0)).toEqual([]);
  });

  it('reads the statement the cursor is in, after a ; or a }', () => {
    expect(labels(SETUP + 'write 5 "a;b"; close @')).toEqual(['3', '5', '6', 'r', 'w']);
    expect(labels(SETUP + 'scenario "x" { close 5 }; @')).toEqual([...STATEMENT_KEYWORDS, 'scenario']);
  });
});
