export * from './ast';
export { parse, allParses } from './parse';
export { tokenize, decodeString } from './lexer';
export { isName, RESERVED_WORD_TYPES } from './words';
export type { Tok } from './token';
