// Shared jest settings for the TypeScript packages: tests live in tests/ mirroring src/.
// ts-jest transpiles each file alone (isolatedModules); `nx run-many -t typecheck` checks types.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, sourceMap: true, isolatedModules: true } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  reporters: ['default', require.resolve('./tools/ci/jest-json-reporter.js')],
};
