/**
 * Runs one scenario's steps on one runtime: starts the echo backends (and
 * the hanging-up server when the configuration names `${CLOSES}`), starts the
 * runtime on the configuration, sends each request and checks what the
 * client and the backends saw, then closes everything it started.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { expect } from 'vitest';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { send, type ClientResponse } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { startClosingBackend, type ClosingBackend } from './closing-backend.ts';
import type { RuntimeUnderTest } from './runtimes.ts';
import type { Scenario, Step, WebSocketStep } from './scenario.ts';
import { openClient } from '../websocket/ws-harness.ts';

type Ports = { readonly PORT: number; readonly STATS: number };

/** How long an `eventually` step may keep asking (health checks every 100 ms). */
const EVENTUALLY_ATTEMPTS = 60;
const EVENTUALLY_PAUSE_MS = 50;

export async function runScenario(scenario: Scenario, runtime: RuntimeUnderTest, steps: readonly Step[]): Promise<void> {
  if (scenario.invalid) {
    const refusal = await runtime.refusal(scenario.config);
    expect(refusal, `${runtime.name} accepted an invalid configuration`).toBeDefined();
    expect(refusal).toContain(scenario.invalid.mentions);
    return;
  }
  const backends: EchoBackend[] = [];
  let closing: ClosingBackend | undefined;
  try {
    for (const name of scenario.backends) backends.push(await startEchoBackend(name));
    if (scenario.config.includes('${CLOSES}')) closing = await startClosingBackend();
    const ports: Ports = { PORT: await freePort(), STATS: await freePort() };
    const env: Record<string, string> = { PORT: String(ports.PORT), STATS: String(ports.STATS), DEAD: String(await freePort()) };
    if (closing) env.CLOSES = String(closing.port);
    backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
    const listening = scenario.config.includes('${STATS}') ? [ports.PORT, ports.STATS] : [ports.PORT];
    const running = await runtime.start(scenario.config, env, listening);
    try {
      for (const step of steps) {
        if (step.eventually) await untilItHolds(() => checkStep(step, ports, backends));
        else await checkStep(step, ports, backends);
      }
    } finally {
      await running.close();
    }
  } finally {
    await Promise.all([...backends.map((b) => b.close()), closing?.close()]);
  }
}

async function untilItHolds(attempt: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= EVENTUALLY_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, EVENTUALLY_PAUSE_MS));
    }
  }
}

async function checkStep(step: Step, ports: Ports, backends: readonly EchoBackend[]): Promise<void> {
  if (step.webSocket) return checkWebSocketStep(step, step.webSocket, ports, backends);
  const arrivals = backends.map((b) => b.requests.length);
  const headers: [string, string][] = (step.headers ?? []).map(([n, v]) => [n, v]);
  if (step.cookie) headers.push(['Cookie', step.cookie]);
  if (step.auth) headers.push(['Authorization', `Basic ${Buffer.from(step.auth).toString('base64')}`]);
  const path = step.path ?? '/';
  const response = await send(ports[step.port ?? 'PORT'], path, { headers });
  const want = step.expect;
  const what = `${step.port ?? 'PORT'} ${path}`;

  if (want.status !== undefined) expect(response.status, `${what}: status`).toBe(want.status);
  if (want.setCookie) expect(response.all('set-cookie'), `${what}: Set-Cookie`).toEqual(want.setCookie);
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    expect(joined(response, name), `${what}: response header ${name}`).toBe(value ?? undefined);
  }
  if (want.body !== undefined) expect(response.body, `${what}: body`).toBe(want.body);
  for (const pattern of want.bodyMatches ?? []) expect(response.body, `${what}: body`).toMatch(pattern);
  if (want.reachesBackend === false) {
    expect(backends.map((b) => b.requests.length), `${what}: no backend reached`).toEqual(arrivals);
  }
  let text = response.body;
  if (want.gzipped) {
    expect(response.get('content-encoding'), `${what}: content-encoding`).toBe('gzip');
    expect(response.get('content-length'), `${what}: content-length`).toBe(String(response.bytes.length));
    text = gunzipSync(response.bytes).toString('utf8');
  }
  if (want.compressed) {
    expect(response.get('content-encoding'), `${what}: content-encoding`).toBe(want.compressed);
    expect(response.get('content-length'), `${what}: content-length`).toBeUndefined();
    text = (want.compressed === 'gzip' ? gunzipSync : inflateSync)(response.bytes).toString('utf8');
  }
  if (want.servedBy || want.backendHeaders) {
    const reply = JSON.parse(text) as EchoReply;
    if (want.servedBy) expect(reply.server, `${what}: served by`).toBe(want.servedBy);
    for (const [name, lines] of Object.entries(want.backendHeaders ?? {})) {
      const seen = reply.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
      expect(seen, `${what}: ${name} lines the backend saw`).toEqual(lines);
    }
  }
}

/** A response header's values joined as one line (RFC 9110 §5.3), or undefined when absent. */
function joined(response: ClientResponse, name: string): string | undefined {
  const values = response.all(name);
  return values.length ? values.join(', ') : undefined;
}

/** A WebSocket step: the 101's Set-Cookie, the greeting's server, echoes, subprotocol, the close handshake. */
async function checkWebSocketStep(step: Step, ws: WebSocketStep, ports: Ports, backends: readonly EchoBackend[]): Promise<void> {
  const what = `WebSocket ${step.path ?? '/'}`;
  const client = await openClient(ports[step.port ?? 'PORT'], {
    path: step.path ?? '/',
    ...(step.cookie ? { cookie: step.cookie } : {}),
    ...(ws.protocols ? { protocols: [...ws.protocols] } : {}),
  });
  try {
    const want = step.expect;
    if (want.status !== undefined) expect(101, `${what}: status`).toBe(want.status);
    if (want.setCookie) expect(client.head.filter(([n]) => n === 'set-cookie').map(([, v]) => v), `${what}: Set-Cookie`).toEqual(want.setCookie);
    if (want.servedBy) expect(client.greeting, `${what}: greeting`).toBe(`hello from ${want.servedBy}`);
    if (ws.protocol !== undefined) expect(client.ws.protocol, `${what}: subprotocol`).toBe(ws.protocol);
    for (const message of ws.messages ?? []) {
      client.ws.send(message);
      const echo = await client.next();
      expect(echo.binary, `${what}: frame type`).toBe(typeof message !== 'string');
      expect(echo.data.equals(Buffer.from(message)), `${what}: echo of ${String(message).slice(0, 20)}`).toBe(true);
    }
    const server = backends.find((b) => client.greeting === `hello from ${b.name}`);
    for (const [name, lines] of Object.entries(want.backendHeaders ?? {})) {
      const seen = server?.requests.at(-1)?.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
      expect(seen, `${what}: ${name} lines the backend saw`).toEqual(lines);
    }
    if (ws.close) {
      client.ws.close(ws.close[0], ws.close[1]);
      // The echo server answers the close with the same code and reason: both ways passed.
      expect(await client.closed, `${what}: close`).toMatchObject({ code: ws.close[0], reason: ws.close[1] });
    }
  } finally {
    client.ws.terminate();
  }
}
