import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One project per package and example that has tests; sources are resolved through the
// `@agentguard/source` export condition, so tests need no build.
const roots = ['packages', 'examples'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .map((name) => join(group, name))
        .filter((dir) => existsSync(join(dir, 'test')))
    : [],
);

export default defineConfig({
  // Our source condition first, then Vite's defaults (never `import`/`require` here: that
  // would hand ESM namespaces to CommonJS dependencies).
  resolve: { conditions: ['@agentguard/source', 'module', 'browser', 'development|production'] },
  ssr: {
    resolve: { conditions: ['@agentguard/source', 'module', 'node', 'development|production'] },
  },
  test: {
    // Under CI a JSON report is kept too, for the closing "N passed, N failed" line.
    reporters: process.env['CI'] ? ['default', 'json'] : ['default'],
    ...(process.env['CI'] ? { outputFile: { json: '.ci/vitest-report.json' } } : {}),
    projects: roots.map((root) => ({
      extends: true,
      test: {
        name: basename(root),
        root,
        include: ['test/**/*.test.ts'],
        typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        testTimeout: 20_000,
        hookTimeout: 20_000,
      },
    })),
  },
});
