export * from './opcodes';
export * from './limits';
export * from './tables';
export * from './program';
export * from './results';
export * from './source-error';
