// ESLint for harness: typescript-eslint's strict type-checked rules on the TypeScript (they see the
// types, so they catch what tsc lets through: a floating promise, an `any` that spreads, a condition
// that is always true), the plain JavaScript rules on the .mjs scripts and benchmarks, React's hook
// rules on the TUI. The layout is Biome's business (biome.jsonc), not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.harness/**'] },
  // a disable comment that no longer silences anything is an error, so that each one left says something true
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        // vitest.config.ts is outside tsconfig.json's folders; it is checked on its own
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // tsc's noUnusedLocals and noUnusedParameters already report these, with the same exceptions
      '@typescript-eslint/no-unused-vars': 'off',
      // with noUncheckedIndexedAccess, `xs[i]!` after a bounds check is how the code says "present"
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `(e) => fail(e.message)` and `return print(...)` from a void function are the house style
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // `return void (cond && act())` is used on purpose for one-line early exits
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      // deleting computed keys from env-like records (process.env, HTTP headers) is what those records are for
      '@typescript-eslint/no-dynamic-delete': 'off',
      // an async callback without await is how a handler that must return a promise is written here;
      // the promise rules (no-floating-promises, no-misused-promises) catch the real mistakes
      '@typescript-eslint/require-await': 'off',
      // numbers and booleans in messages are fine; objects, unknown and any are still reported
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // terminal escape sequences and the control characters in an agent's text are what harness reads and
      // escapes: a regex that names them is the point, not a typo
      'no-control-regex': 'off',
      // decisions are discriminated unions: a switch that forgets a kind must not compile into a silent fall-through
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      // tests read harness's JSON output with JSON.parse and check it with expect: a wrong field fails the test itself
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.tsx', 'src/tui/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
