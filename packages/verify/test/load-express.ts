import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Express from 'express';

/**
 * Loads Express 5 for tests. The vitest worker runs Node with `--conditions import` (from the
 * root config's resolve conditions), so `require('is-promise')` inside Express's router
 * resolves to the package's ESM build, whose namespace object is not the function the router
 * calls. Seeding the require cache with the CommonJS build under that path restores it.
 */
export function loadExpress(): typeof Express {
  const require = createRequire(import.meta.url);
  const expressDir = dirname(require.resolve('express'));
  const routerRequire = createRequire(require.resolve('router', { paths: [expressDir] }));
  const resolved = routerRequire.resolve('is-promise');
  if (resolved.endsWith('.mjs') && require.cache[resolved] === undefined) {
    const commonJs = join(dirname(resolved), 'index.js');
    const fn = routerRequire(commonJs) as unknown;
    const cached = require.cache[commonJs]!;
    require.cache[resolved] = {
      ...cached,
      id: resolved,
      filename: resolved,
      exports: fn,
    };
  }
  return require('express') as typeof Express;
}
