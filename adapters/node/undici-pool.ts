/**
 * undici's Pool, loaded alone. `import { Pool } from 'undici'` evaluates all of
 * undici (fetch, WebSocket, caches, mocks: about 110 modules, 9 MB of the
 * balancer's RSS); the balancer uses Pool only, 22 modules. undici has no
 * `exports` map, so the file is reachable, and the version is pinned in
 * package.json, so the path cannot move under us.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

export const Pool: typeof UndiciPool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js');
export type Pool = UndiciPool;
