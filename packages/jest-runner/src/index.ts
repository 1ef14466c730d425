// A jest runner for .epl files: `runner: '@epl/jest-runner'` (see README.md).
export { default } from './runner';

export type { EplRunnerOptions, EplProjectOptions } from './options';
