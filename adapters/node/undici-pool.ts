/**
 * undici's Pool, loaded alone. `import { Pool } from 'undici'` evaluates all of
 * undici (fetch, WebSocket, caches, mocks: about 110 modules, 9 MB of the
 * balancer's RSS); the balancer uses Pool only, 30 modules with the request
 * API. undici has no `exports` map, so the files are reachable, and the
 * version is pinned in package.json, so the paths cannot move under us.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);
// What undici's index.js does on load: request(), stream(), … are added to
// every dispatcher there, not in the dispatcher's own module.
Object.assign(require('undici/lib/dispatcher/dispatcher.js').prototype, require('undici/lib/api/index.js'));

export const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool.js');
export type Pool = UndiciPool;
