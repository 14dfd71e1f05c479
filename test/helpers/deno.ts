/**
 * The deno executable that npm installed. `node_modules/.bin/deno` may be a
 * Node wrapper (when install scripts did not run) that does not forward
 * signals, so tests and benchmarks run the binary itself; the deno package's
 * own installer API finds it (in its optional platform package).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function denoExecutable(): string {
  return (require('deno/install_api.cjs') as { runInstall(): string }).runInstall();
}
