// ESLint flat config: typescript-eslint's strict type-checked rules on every package's src/ and
// tests/ and on tools/, with types from each package's own tsconfig.json (projectService).
// The plain .js files (jest configs, child-process fixtures, the CI scripts) are not in any
// tsconfig: they get ESLint's recommended rules without type information.
const js = require('@eslint/js');
const { defineConfig } = require('eslint/config');
const globals = require('globals');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const { createTypeScriptImportResolver } = require('eslint-import-resolver-typescript');

module.exports = defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', '**/build/', '**/coverage/', '.nx/', 'fuzz-out/', '**/src/generated/'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      // Lazy require()s are deliberate: CLI commands, the native addon, piscina and worker-only modules load on first use.
      '@typescript-eslint/no-require-imports': 'off',
      // noUncheckedIndexedAccess is off, so `!` marks the invariants the types cannot carry (Map.get after has, a regex that matched).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Same cause: indexed values type as always present, so every bounds or lookup guard (steps[i]?.x, record[k] ?? 0) reads as unnecessary.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // async without await is how this code implements Promise-returning interfaces (Command.run, close, test doubles): throws stay rejections.
      '@typescript-eslint/require-await': 'off',
      // Numbers in messages (positions, counts, errnos) are the common case; other non-strings still need an explicit conversion.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowRegExp: false },
      ],
      // `() => void call()` style callbacks are idiomatic here; a void value returned from a block body is still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A leading underscore marks a parameter kept for the signature's sake (an interface's, a documented one).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Imports only go down: a module never reaches back into one that imports it (a cycle is
    // an error, type-only imports included). Across packages the workspace's dependencies say so.
    files: ['packages/*/src/**/*.ts', 'tools/*/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'packages/*/tsconfig.json', noWarnOnMultipleProjects: true })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
);
