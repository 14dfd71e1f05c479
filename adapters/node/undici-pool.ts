/**
 * undici's Pool, loaded alone. `import { Pool } from 'undici'` evaluates all of
 * undici (fetch, WebSocket, caches, mocks: about 110 modules, 9 MB of the
 * balancer's RSS); the balancer uses Pool only, 30 modules with the request
 * API. undici has no `exports` map, so the files are reachable, and the
 * version is pinned in package.json, so the paths cannot move under us.
 * Loaded at the first pool: plain-HTTP servers never need undici (the fast
 * path's raw sockets reach them), so most configurations never load it.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

export type Pool = UndiciPool;

let loaded: typeof UndiciPool | undefined;

/** A new undici Pool for `origin`. */
export function newPool(origin: string, options: UndiciPool.Options): UndiciPool {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    // What undici's index.js does on load: request(), stream(), … are added to
    // every dispatcher there, not in the dispatcher's own module.
    Object.assign(require('undici/lib/dispatcher/dispatcher.js').prototype, require('undici/lib/api/index.js'));
    loaded = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
  }
  return new loaded(origin, options);
}
