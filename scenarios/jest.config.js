// The corpus as tests: every scenario of every .epl file is one jest test, run on the real
// kernel by @epl/jest-runner (see packages/jest-runner/README.md). Both projects share one
// runner, hence one worker pool; `jest --shard=i/N` splits the files across CI machines.
const epl = {
  rootDir: __dirname,
  // retries: 2 because some answers depend on kernel timing. A pure ACK leaves at once only if
  // the receiver is in pingpong mode, which it enters only when it sends within `ato` of its
  // last receive; a loaded machine (CI runs many projects at once on 2 cores) misses that and
  // the ACK waits for the 20-40 ms delayed-ACK timer, so e.g. `close 5 ~> 5 > 6 F.` sees
  // `5 > 6 F., 6 > 5 .` (about 0.1-0.2% of founding scenarios at load average 8). A scenario
  // that passes on a retry still passes, but the runner lists it on stderr with its first
  // failure (packages/jest-runner/README.md, "Retries"). Both projects use the same options,
  // so they keep sharing one runner and one pool.
  runner: ['@epl/jest-runner', { retries: 2 }],
  moduleFileExtensions: ['epl', 'js'],
};

module.exports = {
  // The default output, plus the --json results .ci/run sums into its `N passed, N failed`.
  reporters: ['default', require.resolve('../tools/ci/jest-json-reporter.js')],
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
