// `npm run build` (run by prepack): the package's JavaScript in dist/, plain
// tsc emit (README, "The npm package" says why not a bundler). Two projects
// because src/ and the Node adapter compile against Node's types and the
// Workers adapter against Workers' own.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(new URL('dist/', root), { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'adapters/workers/tsconfig.build.json']) {
  execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
}
// The Worker imports its default configuration as a text module (wrangler's Text rule).
copyFileSync(new URL('adapters/workers/edge-balancer.cfg', root), new URL('dist/adapters/workers/edge-balancer.cfg', root));
