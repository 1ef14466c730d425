import { analyze } from '../src/analysis';
import type { Statement } from '../src/analysis';
import { hover } from '../src/hover';
import type { StepObservation } from '../src/run-cache';
import { cursor } from './helpers';

const SETUP = 'tcp 5 6\nepoll 3\n';

function hoverText(marked: string, observed: (s: Statement) => readonly StepObservation[] = () => []): string | undefined {
  const { text, line, character } = cursor(marked);
  const h = hover(analyze(text), line, character, observed);
  return h ? (h.contents as { value: string }).value : undefined;
}

const seen = (scenario: string, got: string, pass = true): StepObservation => ({ scenario, call: 'shutdown(5, SHUT_RD)', ret: '0', got, wire: 'none', pass });

describe('hover', () => {
  it('shows the reference entry of a statement keyword', () => {
    const text = hoverText(SETUP + 'shut@down 5 RD')!;
    expect(text).toContain('`shutdown A MODE`');
    expect(text).toContain('MODE is `RD WR RDWR`');
    expect(hoverText(SETUP + 'SHUTDOWN@ 5 RD')).toBe(text);
  });

  it('shows where a name was bound', () => {
    expect(hoverText(SETUP + 'dup 5 -> 7\nclose @7')).toBe('name `7`: bound by `dup 5 -> 7` (line 3)');
    expect(hoverText(SETUP + 'close 5 ~> @5 > 6 F.')).toBe('name `5`: bound by `tcp 5 6` (line 1)');
    expect(hoverText('@tcp 5 6')).toContain('`tcp A B`');
    expect(hoverText('tcp @5 6')).toBe('name `5`: bound here');
    expect(hoverText('close @9')).toBe('name `9`: not bound before this point');
  });

  it('shows the value of flags, shutdown modes and errno names', () => {
    expect(hoverText(SETUP + 'add 3 5 IN|epoll@rdhup')).toBe('`EPOLLRDHUP` = 0x2000');
    expect(hoverText(SETUP + 'shutdown 5 shut_@wr')).toBe('`SHUT_WR` = 1');
    expect(hoverText(SETUP + 'write 5 "a" => ep@ipe')).toBe('`EPIPE` = 32 (errno)');
  });

  it('adds what the last run saw, grouped by outcome, on the keyword and the expectations', () => {
    const observed = (s: Statement) => (s.text === 'shutdown 5 RD' ? [seen('a', '0'), seen('b', '0'), seen('c', 'EBADF', false)] : []);
    const onKeyword = hoverText(SETUP + 'shut@down 5 RD => 0', observed)!;
    expect(onKeyword).toContain('**Last run**');
    expect(onKeyword).toContain('2 scenarios:\n```\nshutdown(5, SHUT_RD) = 0\n=> 0  ~> none\n```');
    expect(onKeyword).toContain('scenario "c" (expectation failed):\n```\nshutdown(5, SHUT_RD) = 0\n=> EBADF  ~> none\n```');
    expect(hoverText(SETUP + 'shutdown 5 RD =@> 0', observed)).toContain('**Last run**');
    expect(hoverText(SETUP + 'shutdown 5 RD => @0', observed)).toContain('**Last run**');
    expect(hoverText(SETUP + 'shutdown @5 RD => 0', observed)).not.toContain('Last run');
  });

  it('shows nothing on blank space, comments and unknown words', () => {
    expect(hoverText(SETUP + 'close 5   @  # note')).toBeUndefined();
    expect(hoverText(SETUP + 'close 5 # no@te')).toBeUndefined();
    expect(hoverText(SETUP + 'fr@ob 5')).toBeUndefined();
  });

  it('covers the word it describes', () => {
    const { text, line, character } = cursor(SETUP + 'close @5');
    expect(hover(analyze(text), line, character, () => [])?.range).toEqual({ start: { line: 2, character: 6 }, end: { line: 2, character: 7 } });
  });
});
