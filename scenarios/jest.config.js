// The corpus as tests: every scenario of every .epl file is one jest test, run on the real
// kernel by @epl/jest-runner (see packages/jest-runner/README.md). Both projects share one
// runner, hence one worker pool; `jest --shard=i/N` splits the files across CI machines.
const epl = {
  rootDir: __dirname,
  runner: '@epl/jest-runner',
  moduleFileExtensions: ['epl', 'js'],
};

module.exports = {
  projects: [
    {
      ...epl,
      displayName: 'scenarios',
      testMatch: ['<rootDir>/**/*.epl'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/families/pair/'],
    },
    {
      // `pair` scripts: each scenario once per family, titled `[tcp]`, `[tcp6]`, `[unix]`.
      ...epl,
      displayName: 'families',
      testMatch: ['<rootDir>/families/pair/**/*.epl'],
      testEnvironmentOptions: { eplFamilies: ['tcp', 'tcp6', 'unix'] },
    },
  ],
};
