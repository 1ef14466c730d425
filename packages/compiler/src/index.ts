export { compile, compileFile, compileAst } from './compile';
export { print } from './print';
export { programsEqual, programDiff } from './equal';
