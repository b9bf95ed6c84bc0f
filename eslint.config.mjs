// ESLint flat config. Form is Prettier's job (npm run format:check); these rules catch mistakes and keep the
// architecture's arrows pointing one way (docs/architecture.md, "Rooms").
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const deployedOnly = {
  group: ['**/local/**', '**/bench/**', '**/scripts/**', '**/test/**', '**/web/**'],
  message: 'functions/ is deployed: it never imports local/, bench/, scripts/, test/ or web/.',
};
const noSdk = {
  group: ['@aws-sdk/*'],
  message: "Only adapters (functions/lib/aws/) import the AWS SDK; the core and handlers speak the core's types.",
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.aws-sam/**',
      '.local-data/**',
      'test/fixtures/**',
      // generated: see its first line
      'functions/lib/thumbnail/jpeg-turbo-wasm.ts',
      'functions/lib/convert/wasm/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  // Tests read untyped JSON (items, events, API answers) and assert its shape with chai's property chains.
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  // The web app runs in browsers: React's rules of hooks, and it reaches the backend only through the API (types of
  // the item contract from functions/ are fine; code from functions/, local/, the SDK or Node is not).
  {
    files: ['web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/functions/**'],
              allowTypeImports: true,
              message: 'The web app may use only the contract types of functions/ (import type), never its code.',
            },
            {
              group: [
                '**/local/**',
                '**/scripts/**',
                '**/test/**',
                '**/bench/**',
                '**/build/**',
                'node:*',
                '@aws-sdk/*',
              ],
              message: 'The web app runs in a browser and talks to the backend through the API only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Adapters (functions/lib/aws/) may use the SDK; the deployed code never imports the offline stack, benchmarks,
  // scripts, tests or the web app.
  {
    files: ['functions/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deployedOnly] }] },
  },
  // Handlers wire core and adapters: they build no SDK command themselves and hold no business rule, so they stay short.
  {
    files: ['functions/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [deployedOnly, noSdk] }],
      'max-lines': ['error', { max: 40 }],
    },
  },
  // The core speaks its own types: no AWS SDK import (not even `import type`) and no adapter.
  {
    files: ['functions/lib/**/*.ts'],
    ignores: ['functions/lib/aws/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deployedOnly,
            noSdk,
            { group: ['**/aws/*'], message: 'The core does not depend on adapters: handlers pass them in.' },
          ],
        },
      ],
    },
  },
  // The offline stack and tools may use functions/, never the other way round; local/ does not reach into scripts/.
  {
    files: ['local/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/bench/**', '**/scripts/**', '**/test/**'],
              message: 'local/ is imported by scripts and tests, not the reverse.',
            },
          ],
        },
      ],
    },
  },

  // The local stack in modules one can read (docs/architecture.md, "The local stack"): files under ~300 lines and
  // functions under ~80, blank lines and comments not counted. Data tables and generated files would be exceptions,
  // each with its reason; none in local/ is over the limits today.
  {
    files: ['local/**/*.ts', 'local/**/*.cjs'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
