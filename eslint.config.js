// ESLint (flat config): typescript-eslint's recommended rules for all TypeScript, eslint-plugin-lit's for
// the lit elements, and a few house rules. Formatting is Prettier's (`.prettierrc.json`); `npm run lint`
// runs both.
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/locales/generated/**', 'public/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-console': ['error', { allow: ['warn', 'error', 'info'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  { files: ['src/ui/**/*.ts'], ...lit.configs['flat/recommended'] },
  {
    // command-line tools, scripts and tests print to the console by design
    files: ['src/cli/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'src/bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
