// One lint config for every package: typescript-eslint's strict, type-aware rules.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Runtime packages (they run in browsers too) say so in their package.json: `"upstat": { "runtime": "web" }`.
// The provider packages get it from the generator, so a new provider is in scope without anyone listing it.
const runtimePackages = readdirSync(new URL('./packages', import.meta.url)).filter((name) => {
  const manifest = new URL(`./packages/${name}/package.json`, import.meta.url);
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).upstat?.runtime === 'web';
});

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/src/generated/**', '**/node_modules/**', '**/.turbo/**', 'tools/**', '**/coverage/**', '**/.tmp/**', 'tests/docs/examples/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are how messages are built here; booleans/unknowns stay banned.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Conflicts with strict's no-non-null-assertion (it asks for the `!` that rule forbids).
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
    },
  },
  {
    // Plain JS (repo scripts, this file) is not part of any TypeScript project: lint it without types.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
  {
    // Runtime packages run in browsers too: no Node built-ins in their source.
    files: runtimePackages.map((name) => `packages/${name}/src/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'Runtime packages use web APIs only (they must run in browsers).' }] },
      ],
    },
  },
);
