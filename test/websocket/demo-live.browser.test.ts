/**
 * The demo (`npm start`) in a real browser (Debian's Chromium through
 * playwright-core): each page opens a WebSocket through the balancer and
 * shows live messages from the very server that served the page, and a
 * reload stays on it (the SERVERNAME cookie). Fails if Chromium cannot start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import { runDemo } from '../../adapters/node/demo.ts';
import { freePort } from '../helpers/ports.ts';

test('each demo page shows live WebSocket messages from its own server', async () => {
  const [port, statsPort] = [await freePort(), await freePort()];
  const stop = await runDemo(port, statsPort);
  const profile = await mkdtemp(join(tmpdir(), 'edge-balancer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    timeout: 20_000,
  });
  try {
    const page = await context.newPage();
    const servers: string[] = [];
    for (let visit = 0; visit < 2; visit++) {
      await page.goto(`http://127.0.0.1:${port}/`);
      const server = (await page.textContent('h1'))!.replace('Served by ', '');
      await page.waitForFunction(() => /message \d+ from/.test(document.getElementById('live')!.textContent ?? ''), undefined, { timeout: 5000 });
      const live = (await page.textContent('#live'))!;
      expect(live).toMatch(new RegExp(`^${server}: message \\d+ from ${server} \\(\\d+ live connections? here\\)`));
      servers.push(server);
    }
    expect(servers[0]).toMatch(/^apache-[12]$/);
    expect(servers[1]).toBe(servers[0]);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await stop();
  }
});
