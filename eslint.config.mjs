// Type-checked lint rules. Workflow files may not import Node built-ins or any module that
// performs I/O, because workflow code must replay deterministically inside Temporal's sandbox.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'crypto',
  'stream',
  'timers',
  'worker_threads',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'media',
      '.tools',
      '.temporal',
      'coverage',
      'bench/results',
      'jest.config.js',
      'eslint.config.mjs',
      'scripts/**/*.mjs',
      'scripts/**/*.cjs',
      'bin/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Interface implementations are async by contract even when one adapter has nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'Workflow code must not use Node built-ins: it has to replay deterministically.' },
            {
              group: [
                '**/providers/**',
                '**/media/**',
                '**/config',
                '**/storage/**',
                '**/api/**',
                '**/shared-node/**',
                '@temporalio/activity',
                '@temporalio/worker',
                '@temporalio/client',
              ],
              message: 'Workflow code may only import @temporalio/workflow, src/shared and activity types.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Import activity types only.' }] },
      ],
    },
  },
  {
    // The web page's module runs in browsers as written; tsc checks its JSDoc types (src/web/tsconfig.json).
    files: ['src/web/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
