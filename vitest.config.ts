import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/*.test.ts', 'apps/**/*.test.ts', 'apps/**/*.test.tsx', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'e2e/**'],
    // Server tests start real servers on real sockets; forks keep them isolated from each other.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
