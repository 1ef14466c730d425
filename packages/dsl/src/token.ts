// The token shape the grammar sees, and the located fault the lexer pass and the grammar's
// few checks throw (parse.ts turns it into a SourceError).
import type { Token } from 'moo';

/** A moo token, plus what the lexer pass decoded: a string's bytes, a number's value. */
export interface Tok extends Token {
  /** Always set: every rule of the lexer has a type. */
  type: string;
  bytes?: Uint8Array;
  num?: number;
}

/** A problem at a source offset, before it becomes a SourceError with file and frame. */
export class Fault extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'Fault';
  }
}
