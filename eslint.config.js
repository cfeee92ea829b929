// Lint: the import boundaries of docs/architecture.md, run by `npm test`.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const engines = ['**/store/duckdb/**', '**/store/clickhouse/**'];

export default [
  { ignores: ['dist/**', 'node_modules/**', '**/*.mjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    // This config checks structure; directives for style rules kept in the code are not its concern.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })], 'import-x/extensions': ['.ts', '.js'], 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Nothing outside src/store/ knows which engine it talks to: it opens a store with openStore() and sees its interfaces.
    files: ['src/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/store/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: engines, message: 'import the store through src/store/index.ts (openStore and the interfaces), not an engine folder' }] }],
    },
  },
  {
    // Pure cores do no I/O.
    files: ['src/formats/**/*.ts', 'src/policy/**/*.ts', 'src/integrity/*.ts', 'src/query/logql/**/*.ts', 'src/query/plan/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/policy/k8s/load.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'fs', 'node:fs/promises', 'node:http', 'node:https', 'node:dgram', 'node:tls', 'node:child_process', 'node:worker_threads'].map((name) => ({ name, message: 'a pure core does no I/O' })),
          patterns: [{ group: [...engines, '**/server/**', '**/runtime/**', '**/cli/**'], message: 'a pure core imports nothing that does I/O' }],
        },
      ],
    },
  },
];
