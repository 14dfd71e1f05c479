/**
 * RunningBalancer.reload on Node: a new configuration applies to the next
 * requests on the same sockets, and a reload that cannot bind one of its
 * addresses changes nothing at all (HAProxy's reload leaves the old process
 * serving when the new one fails to bind).
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function backend(name: string): Promise<EchoBackend> {
  const b = await startEchoBackend(name);
  cleanup.push(() => b.close());
  return b;
}

/** A plain TCP socket holding `port`, so a bind on it fails with EADDRINUSE. */
async function occupied(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

const appSection = (port: number, server: EchoBackend) =>
  `listen app\n    bind 127.0.0.1:${port}\n    server s 127.0.0.1:${server.port}\n`;
const DEFAULTS = 'defaults\n    mode http\n    timeout server 5s\n';
const parse = (text: string) => parseHaproxyConfig([{ file: 'reload.cfg', text }], { env: {} }).config;

describe('reload', () => {
  it('serves the new rules on the same listener and opens and closes listeners as the new file says', async () => {
    const [s1, s2] = [await backend('s1'), await backend('s2')];
    const [port, extra] = [await freePort(), await freePort()];
    const edge = await startEdge(DEFAULTS + appSection(port, s1));
    cleanup.push(() => edge.close(0));
    const servedBy = async (p: number) => (JSON.parse((await send(p, '/')).body) as { server: string }).server;
    expect(await servedBy(port)).toBe('s1');

    await edge.reload(parse(DEFAULTS + appSection(port, s2) + `listen other\n    bind 127.0.0.1:${extra}\n    server o 127.0.0.1:${s1.port}\n`), 0);
    expect(await servedBy(port)).toBe('s2');
    expect(await servedBy(extra)).toBe('s1');

    await edge.reload(parse(DEFAULTS + appSection(port, s1)), 0);
    expect(edge.listeners.map((l) => l.port)).toEqual([port]);
    await expect(send(extra, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a reload that cannot bind a new address is refused whole: the running rules and listeners stay', async () => {
    const [s1, s2] = [await backend('s1'), await backend('s2')];
    const [port, taken] = [await freePort(), await occupied()];
    const edge = await startEdge(DEFAULTS + appSection(port, s1));
    cleanup.push(() => edge.close(0));

    // `app` comes first, so a reload applied bind by bind would already have
    // switched it to s2 when `other` fails.
    const next = parse(DEFAULTS + appSection(port, s2) + `listen other\n    bind 127.0.0.1:${taken}\n    server o 127.0.0.1:${s2.port}\n`);
    await expect(edge.reload(next, 0)).rejects.toThrow(/EADDRINUSE/);

    expect(JSON.parse((await send(port, '/')).body).server).toBe('s1');
    expect(edge.listeners.map((l) => l.port)).toEqual([port]);
  });
});
