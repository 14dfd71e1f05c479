/**
 * The dashboard in a real browser: Debian's Chromium driven by
 * playwright-core (no downloaded browser). Reads the table, drains a server
 * through the admin form, and saves a screenshot to test/artifacts/.
 * If Chromium cannot start, the test fails and says how to install it.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { countRequestStart, countRequestEnd, countResponseStatus } from '../../src/balancer/counters.ts';
import { health, seedConfig, server, statsConfig, testDeps } from './fixtures.ts';
import { serveStats, type ServedStats } from './serve-stats.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

let context: BrowserContext;
let profile: string;
let served: ServedStats;

beforeAll(async () => {
  const deps = testDeps(Date.now() - 3_725_000);
  served = await serveStats(
    seedConfig(0, 0, [server('s1', 9001), server('s2', 9002), server('s3', 9003, { backup: true, weight: 5 }), server('s4', 9004, { check: undefined })], statsConfig({ refresh: 10_000, showLegends: true })),
    deps,
  );
  deps.clock.advance(3_725_000);
  const now = deps.clock.now();
  // Some traffic and health history so the page shows real numbers.
  const app = served.state.backends.get('app')!;
  const front = served.state.frontends.get('app')!.counters;
  const traffic: [number, number, number][] = [
    [0, 200, 412],
    [0, 304, 3],
    [1, 200, 398],
    [1, 404, 7],
    [1, 503, 2],
  ];
  for (const [index, status, times] of traffic) {
    for (let i = 0; i < times; i++) {
      for (const c of [app.serverCounters[index]!, app.counters, front]) {
        countRequestStart(c, now - 4000);
        countResponseStatus(c, status);
        c.bytesIn += 420;
        c.bytesOut += 2310;
        countRequestEnd(c);
      }
    }
  }
  deps.healthStore.set('app/s1', health({ health: 4, up: true, lastChange: now - 3_600_000, lastCheck: { ok: true, status: 'L7OK', code: 200, durationMs: 2 } }));
  deps.healthStore.set('app/s2', health({ health: 3, up: true, lastChange: now - 3_600_000, chkfail: 1, lastCheck: { ok: false, status: 'L7STS', code: 500, durationMs: 3 } }));
  deps.healthStore.set('app/s3', health({ health: 0, up: false, lastChange: now - 95_000, chkfail: 4, chkdown: 1, downtime: 0, lastCheck: { ok: false, status: 'L4CON', info: 'Connection refused', durationMs: 0 } }));

  profile = await mkdtemp(join(tmpdir(), 'edge-balancer-chromium-'));
  try {
    // A persistent context is how Playwright takes a fresh --user-data-dir of our own.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      httpCredentials: { username: 'A_Username', password: 'YourPassword' },
      viewport: { width: 1440, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 20_000,
    });
  } catch (error) {
    throw new Error(
      `Chromium could not start from ${CHROMIUM}: install Debian's package with \`apt-get install -y chromium\` (.ci/run does).\n${(error as Error).message}`,
    );
  }
});

afterAll(async () => {
  await context?.close();
  await served?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

test('dashboard: table content, drain via the form, screenshot', async () => {
  const page = await context.newPage();
  try {
    const base = `http://127.0.0.1:${served.port}`;
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers().refresh).toBe('10');
    expect(await page.title()).toContain('Statistics');

    const cell = (server: string, column: number) => page.locator(`#proxy-app tr[data-server="${server}"] td`).nth(column);
    // Columns: select, name, status, last change, weight, role, cur, max, total, …
    expect(await cell('s1', 1).textContent()).toBe('s1');
    expect(await cell('s3', 1).textContent()).toBe('s3backup');
    expect(await cell('s3', 5).textContent()).toBe('backup');
    expect(await cell('s1', 2).textContent()).toBe('UP');
    expect(await cell('s2', 2).textContent()).toBe('UP 2/3');
    expect(await cell('s3', 2).textContent()).toBe('DOWN');
    expect(await cell('s4', 2).textContent()).toBe('no check');
    expect(await cell('s3', 4).textContent()).toBe('5');
    expect(await cell('s1', 8).textContent()).toBe('415');
    expect(await cell('s2', 8).textContent()).toBe('407');
    const backendRow = page.locator('#proxy-app tr.backend td');
    expect(await backendRow.nth(1).textContent()).toBe('Backend');
    expect(await backendRow.nth(2).textContent()).toBe('UP');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'stats-dashboard.png'), fullPage: true });

    // Drain s1 through the admin form (no JavaScript on the page).
    await page.locator('#proxy-app tr[data-server="s1"] input[type=checkbox]').check();
    await page.getByLabel('Action for app').selectOption('drain');
    await Promise.all([page.waitForURL(/;st=DONE$/), page.getByRole('button', { name: 'Apply' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('Action processed successfully.');
    expect(await cell('s1', 2).textContent()).toBe('DRAIN');
    expect(served.state.backends.get('app')!.admin(0).mode).toBe('drain');
    expect(served.deps.messages).toContain("stats admin: user 'A_Username' set app/s1 state ready -> drain");
    await page.screenshot({ path: join(ARTIFACTS, 'stats-dashboard-drained.png'), fullPage: true });
  } finally {
    await page.close();
  }
});
