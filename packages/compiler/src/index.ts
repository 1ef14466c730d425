export { compile, compileFile, compileAst } from './compile';
export { print, printStatement, printResult, printReady, printWire, printSegments, quote } from './print';
export { programsEqual, programDiff } from './equal';
