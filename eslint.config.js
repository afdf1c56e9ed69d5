import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // Tests must never be focused: CI runs every test.
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'CI runs every test' },
        { object: 'describe', property: 'only', message: 'CI runs every test' },
        { object: 'test', property: 'only', message: 'CI runs every test' },
      ],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // Command-line programs print their figures and links.
    files: ['bench/**', 'scripts/**', 'server/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
