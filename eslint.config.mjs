// Lint rules. The one that matters most: the data layer (src/data) must never import `vscode`,
// so it stays testable in plain Node and usable from the CLI.
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-results/**', '.cache/**', 'bench/data/**'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/data/**', 'src/cli/**', 'webview/**', 'src/views/**/model*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The data layer, CLI and webviews must not depend on vscode.' }],
        },
      ],
    },
  },
);
