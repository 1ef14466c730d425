// Go to definition: a name goes to the word that bound it most recently before it, in the
// setup and the current block (`dup 5 -> 7 … close 7` goes to the `7` of the dup).
import type { Analysis, Word } from './analysis';
import { statementAt, wordAt } from './analysis';

/** The binding word of the name at a position, if the position is on a name that has one. */
export function definition(a: Analysis, line: number, character: number): Word | undefined {
  const word = wordAt(a, line, character);
  const statement = statementAt(a, line, character);
  if (!word || !statement) return undefined;
  return statement.names.find((n) => n.word === word)?.binding;
}
