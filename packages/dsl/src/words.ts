// Which words are names: what the printer and generators need to know about the lexer.
import { WORD_TYPES } from './generated/epl';

/** Token type of every reserved word, by its lower-cased spelling (statement keywords, flags, errno names, …). */
export const RESERVED_WORD_TYPES: ReadonlyMap<string, string> = WORD_TYPES;

/** True when `text` is a valid descriptor name: all digits, or an identifier that is not reserved. */
export function isName(text: string): boolean {
  if (/^[0-9]+$/.test(text)) return true;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && !WORD_TYPES.has(text.toLowerCase());
}
