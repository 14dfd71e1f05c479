/** `wrangler deploy --dry-run` builds the deployable bundle from wrangler.toml, and its size is printed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('deployment', () => {
  it('wrangler deploy --dry-run builds the bundle', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'edge-wrangler-'));
    try {
      const r = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
        cwd: new URL('../../', import.meta.url).pathname,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
      // The Durable Object binding and the bundled configuration are part of the Worker.
      expect(r.stdout).toMatch(/env\.HEALTH \(HealthObject\)/);
      const bundle = readdirSync(outdir).filter((f) => f.endsWith('.js'));
      const bytes = bundle.reduce((sum, f) => sum + statSync(join(outdir, f)).size, 0);
      expect(bytes).toBeGreaterThan(10_000);
      process.stdout.write(`Worker bundle: ${(bytes / 1024).toFixed(1)} KiB (${/Total Upload: .*/.exec(r.stdout)?.[0] ?? ''})\n`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
