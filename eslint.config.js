// @ts-check
// `npm run lint`: ESLint's recommended rules plus typescript-eslint's recommendedTypeChecked, the
// set that reads types (floating promises, `any` leaking into typed code, assertions that assert
// nothing, awaiting non-promises). The stricter and stylistic sets are left out: they would rewrite
// working code for taste. Type information comes from tsconfig.json (src/) and test/tsconfig.json.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // TypeScript only: the few .js/.mjs/.cjs files (bin/, scripts/, bench/, a test preload) are not linted.
  { ignores: ['dist/', 'node_modules/', '.tmp/', 'test/fixtures/', 'examples/', 'templates/', '**/*.js', '**/*.mjs', '**/*.cjs', '*.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `const { dropped: _, ...rest } = x` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `let [start, end] = range` where only `end` moves: one destructuring beats two declarations.
      'prefer-const': ['error', { destructuring: 'all' }],
      // Off: an `async` function without `await` is how obs implements a Promise-returning
      // interface (git stubs, a check's run, a backend's decide), and it turns a throw into a
      // rejection; dropping `async` to please the rule would change that.
      '@typescript-eslint/require-await': 'off',
      // Off: String() of a parsed YAML value (a compose `command`, a port's `target`) is the
      // intended rendering; after the null/undefined checks the value is typed `{}`, which the
      // rule cannot tell from an object that lacks toString.
      '@typescript-eslint/no-base-to-string': 'off',
      // Off: the control characters in regexes are deliberate: YAML's excluded ranges in
      // compose/edit-proof.ts and the \u0001 placeholder of secrets/redact.ts.
      'no-control-regex': 'off',
      // Off: two spaces in a regex are YAML indentation, clearer written out than as ` {2}`.
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests: they read JSON.parse and YAML parse results (typed `any`) and let `expect`
      // judge the shape; a wrong shape fails the test, so a typed copy per assertion adds nothing.
      // The test X-Ray server takes AWS JSON input as Record<string, any> for the same reason.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
