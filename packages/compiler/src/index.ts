export { compile, compileFile, compileAst } from './compile';
export { readSource, decodeSource } from './read-source';
export { print, printStatement, printResult, printReady, printWire, printSegments, quote } from './print';
export { programsEqual, programDiff } from './equal';
