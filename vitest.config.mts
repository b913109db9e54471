import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // test/host/unit holds plain-Node tests of host modules; the rest of test/host runs inside VS Code.
    exclude: ['test/host/!(unit)/**', 'test/host/*.*', 'test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
