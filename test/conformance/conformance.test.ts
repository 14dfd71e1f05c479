/**
 * Every scenario of scenarios.ts on every runtime of runtimes.ts, with real
 * backends on 127.0.0.1. The outcome of each pair is also written to
 * test/artifacts/conformance.json, from which `npm run conformance:matrix`
 * generates the README's matrix.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { RUNTIMES, type RuntimeUnderTest } from './runtimes.ts';
import { SCENARIOS, type Scenario, type Step } from './scenarios.ts';

const outcomes: { scenario: string; runtime: string; passed: boolean; differs?: string }[] = [];

afterAll(() => {
  const dir = new URL('../artifacts/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('conformance.json', dir), `${JSON.stringify(outcomes, null, 2)}\n`);
});

async function check(step: Step, ports: { PORT: number; STATS: number }, backends: readonly EchoBackend[]): Promise<void> {
  const arrivals = backends.map((b) => b.requests.length);
  const headers: [string, string][] = [];
  if (step.cookie) headers.push(['Cookie', step.cookie]);
  if (step.auth) headers.push(['Authorization', `Basic ${Buffer.from(step.auth).toString('base64')}`]);
  const response = await send(ports[step.port ?? 'PORT'], step.path ?? '/', { headers });
  const { expect: want } = step;
  if (want.status !== undefined) expect(response.status).toBe(want.status);
  if (want.setCookie) expect(response.all('set-cookie')).toEqual(want.setCookie);
  if (want.wwwAuthenticate) expect(response.get('www-authenticate')).toBe(want.wwwAuthenticate);
  if (want.body !== undefined) expect(response.body).toBe(want.body);
  if (want.bodyStartsWith) expect(response.body.startsWith(want.bodyStartsWith)).toBe(true);
  if (want.servedBy || want.backendCookie || want.backendForwardedFor) {
    const reply = JSON.parse(response.body) as EchoReply;
    if (want.servedBy) expect(reply.server).toBe(want.servedBy);
    const seen = (name: string) => reply.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
    if (want.backendCookie) expect(seen('cookie')).toEqual(want.backendCookie);
    if (want.backendForwardedFor) expect(seen('x-forwarded-for')).toEqual(want.backendForwardedFor);
  } else if (want.status && want.status >= 500) {
    // An error page from the proxy: no backend was reached.
    expect(backends.map((b) => b.requests.length)).toEqual(arrivals);
  }
}

async function run(scenario: Scenario, runtime: RuntimeUnderTest): Promise<void> {
  if (scenario.invalid) {
    expect(await runtime.rejects(scenario.config)).toBe(true);
    return;
  }
  const backends: EchoBackend[] = [];
  try {
    for (const name of scenario.backends) backends.push(await startEchoBackend(name));
    const ports = { PORT: await freePort(), STATS: await freePort() };
    const env: Record<string, string> = { PORT: String(ports.PORT), STATS: String(ports.STATS), DEAD: String(await freePort()) };
    backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
    const listening = scenario.config.includes('${STATS}') ? [ports.PORT, ports.STATS] : [ports.PORT];
    const running = await runtime.start(scenario.config, env, listening);
    try {
      for (const step of scenario.steps) await check(step, ports, backends);
    } finally {
      await running.close();
    }
  } finally {
    await Promise.all(backends.map((b) => b.close()));
  }
}

describe.each(SCENARIOS)('$name', (scenario) => {
  it.each(RUNTIMES.map((r) => [r.name, r] as const))('on %s', async (_name, runtime) => {
    const differs = scenario.differs?.[runtime.name];
    try {
      await run(scenario, runtime);
      outcomes.push({ scenario: scenario.name, runtime: runtime.name, passed: true });
    } catch (error) {
      outcomes.push({ scenario: scenario.name, runtime: runtime.name, passed: false, differs });
      if (!differs) throw error;
    }
  });
});
