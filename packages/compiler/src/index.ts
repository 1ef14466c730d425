export { compile, compileFile, compileAst } from './compile';
export { readSource, decodeSource } from './read-source';
export { print } from './print';
export { programsEqual, programDiff } from './equal';
