import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'bench-out', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The math runs in Node, workers and the page alike: keep it free of UI and GPU code.
    files: ['src/solvers/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['react', 'react-*', 'react/*'],
              message: 'src/solvers is pure math: no React.',
            },
            {
              group: ['zustand', 'zustand/*'],
              message: 'src/solvers is pure math: no state stores.',
            },
            { group: ['d3', 'd3-*'], message: 'src/solvers is pure math: no plotting.' },
            {
              group: ['webgpu', '@webgpu/*', '**/gpu/**', '../gpu/*'],
              message: 'src/solvers may not use WebGPU; put GPU code in src/gpu.',
            },
            {
              group: ['**/app/**', '**/workers/**'],
              message: 'src/solvers may not import app or worker code.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage'],
    },
  },
);
