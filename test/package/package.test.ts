/**
 * The npm package as a user gets it: `npm pack` (prepack builds dist/), the
 * tarball installed into an empty project, then used on plain Node without
 * any TypeScript loader — the README's library example, its types, and the
 * `edge-balancer` command (`-c`, `--demo`).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { freePorts, waitForPort } from '../helpers/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'edge-balancer-package-'));
const project = join(work, 'project');
/**
 * The installed command, never one downloaded (`--no`); after `--` npx reads
 * no more options of its own (else it takes `-f` for its --force).
 */
const NPX_LOCAL_ONLY = ['--no', '--', 'edge-balancer'];
let packed: { filename: string; files: { path: string }[] };

/** npm, failing the test with its output when it fails. */
function npm(cwd: string, ...args: string[]): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The code block the README marks as run by this test. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- test\/package\/package\.test\.ts runs this block[^\n]*-->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md: the library example block marked for test/package/package.test.ts is missing');
  return block[1]!;
}

/** The Worker and wrangler.toml that docs/workers.md gives package users. */
function docsWorkerFiles(): { worker: string; wranglerToml: string } {
  const docs = readFileSync(join(ROOT, 'docs/workers.md'), 'utf8');
  const blocks = /<!-- test\/package\/package\.test\.ts bundles these two files[^\n]*-->\n```js\n([\s\S]*?)```\n\n```toml\n([\s\S]*?)```/.exec(docs);
  if (!blocks) throw new Error('docs/workers.md: the worker.mjs and wrangler.toml blocks marked for test/package/package.test.ts are missing');
  return { worker: blocks[1]!, wranglerToml: blocks[2]! };
}

beforeAll(() => {
  // --json prints the tarball's name and file list; prepack's output goes to stderr.
  [packed] = JSON.parse(npm(ROOT, 'pack', '--json', '--pack-destination', work)) as (typeof packed)[];
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The dependencies come from npm's cache (filled by `npm ci`); no install scripts run.
  npm(project, 'install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(work, packed.filename));
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the compiled JavaScript, its types and maps, the README and package.json, nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    const unexpected = paths.filter(
      (p) =>
        !/^dist\/(src|adapters\/(node|command|workers))\/.+\.(js|d\.ts|js\.map)$/.test(p) &&
        !['dist/adapters/workers/edge-balancer.cfg', 'README.md', 'package.json'].includes(p),
    );
    expect(unexpected).toEqual([]);
    for (const entry of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/adapters/node/index.js', 'dist/adapters/node/main.js', 'dist/adapters/workers/worker.js']) {
      expect(paths).toContain(entry);
    }
    expect(paths.filter((p) => /^(test|bench|reliability|src|adapters|docs)\//.test(p))).toEqual([]);
  });

  it("runs the README's library example on plain Node: one request proxied through createBalancer", async () => {
    writeFileSync(join(project, 'app.mjs'), readmeLibraryExample());
    const app = await startEchoBackend('app-1');
    try {
      // Asynchronous: the backend answers from this process's event loop.
      const { stdout } = await promisify(execFile)(process.execPath, ['app.mjs'], {
        cwd: project,
        env: { ...process.env, APP_PORT: String(app.port), NODE_OPTIONS: '' },
        timeout: 20_000,
      });
      expect(stdout).toMatch(/^200 \{.*"server":"app-1"/m);
      expect(app.requests.map((r) => r.url)).toEqual(['/hello']);
    } finally {
      await app.close();
    }
  });

  it('types the example from the .d.ts files (the exports map names them)', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          allowJs: true,
          checkJs: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['app.mjs', 'misuse.mts'],
      }),
    );
    // Untyped (`any`) imports would leave these expectations unused, and tsc would say so.
    writeFileSync(
      join(project, 'misuse.mts'),
      `import { createBalancer, parseHaproxyConfig } from 'edge-balancer';
import { startBalancer } from 'edge-balancer/node';
// @ts-expect-error: a config is not a string
parseHaproxyConfig('listen a');
// @ts-expect-error: createBalancer needs its deps
createBalancer(parseHaproxyConfig([{ file: 'x', text: '' }]).config);
// @ts-expect-error: startBalancer takes a Config
void startBalancer(42);
`,
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('npx edge-balancer -c checks a configuration without a TypeScript loader', () => {
    writeFileSync(join(project, 'lb.cfg'), 'listen app\n    bind 127.0.0.1:8080\n    server s1 127.0.0.1:8081 check\n');
    writeFileSync(join(project, 'bad.cfg'), 'listen app\n    bind 127.0.0.1:8080\n    balance roundrobn\n    server s1 127.0.0.1:8081\n');
    // Compiled JavaScript, and no TypeScript loader installed to run anything else.
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/edge-balancer/package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(installed.bin['edge-balancer']).toMatch(/^dist\/.*\.js$/);
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
    const npx = (...args: string[]) => spawnSync('npx', [...NPX_LOCAL_ONLY, ...args], { cwd: project, encoding: 'utf8' });
    const ok = npx('-c', '-f', 'lb.cfg');
    expect(ok.stdout, ok.stderr).toBe('Configuration file is valid\n');
    expect(ok.status).toBe(0);
    const bad = npx('-c', '-f', 'bad.cfg');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("bad.cfg:3: 'balance': unknown algorithm 'roundrobn'");
    expect(npx('--version').stdout).toBe(`edge-balancer ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('edge-balancer --demo serves the demo and stops on SIGTERM', async () => {
    const [port, statsPort] = await freePorts(2);
    // The link npx runs, started directly: npx would take the SIGTERM itself.
    const demo = spawn(join(project, 'node_modules/.bin/edge-balancer'), ['--demo'], {
      cwd: project,
      env: { ...process.env, PORT: String(port), STATS_PORT: String(statsPort) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    demo.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = once(demo, 'exit');
    try {
      await waitForPort(port!, () => demo.exitCode !== null, 400);
      const r = await send(port!, '/');
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/apache-[12]/);
      expect(stderr).toContain(`edge-balancer demo: open http://127.0.0.1:${port}/`);
      demo.kill('SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
    } finally {
      if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    }
  });

  it("bundles docs/workers.md's Worker from edge-balancer/workers with wrangler", () => {
    const { worker, wranglerToml } = docsWorkerFiles();
    writeFileSync(join(project, 'worker.mjs'), worker);
    writeFileSync(join(project, 'wrangler.toml'), wranglerToml);
    const outdir = join(work, 'worker-bundle');
    const r = spawnSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/env\.HEALTH \(HealthObject\)/);
    // The Worker's two exports: the fetch handler and the Durable Object's class.
    expect(readFileSync(join(outdir, 'worker.js'), 'utf8')).toMatch(/export \{\s*HealthObject,\s*\w+ as default\s*\}/);
  });
});
