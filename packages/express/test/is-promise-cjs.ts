// Imported first by tests that load Express. The root vitest config runs workers with Node's
// `import` condition, so Express's router, a CommonJS module, gets `is-promise`'s ESM build
// from `require()`: a namespace object instead of the function it calls ("isPromise is not a
// function"). Registering the CommonJS build under the path `require()` resolves to fixes it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const fromRouter = createRequire(
  require.resolve('router', { paths: [dirname(require.resolve('express'))] }),
);
const resolved = fromRouter.resolve('is-promise');
if (resolved.endsWith('.mjs') && !(resolved in require.cache)) {
  const cjs = join(dirname(resolved), 'index.js');
  fromRouter(cjs);
  const loaded = require.cache[cjs];
  if (loaded) require.cache[resolved] = loaded;
}
