/**
 * The Node adapter's tunnels beyond what a differential test can compare:
 * stats and the access log of a tunnel, retries before the 101, half-close,
 * a reload that keeps tunnels and a stop that cuts them after the grace period.
 */
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { openClient, rawExchange } from './ws-harness.ts';
import { startWsBackend, type WsBackend } from './ws-backend.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const configText = (extra = '') => `
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
    option redispatch
    retries 1
    cookie SERVERNAME insert indirect nocache
${extra}    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
listen stats
    bind 127.0.0.1:\${STATS}
    stats enable
    stats uri /
`;

async function setUp(extra = '', s1Port?: number): Promise<{ edge: RunningEdge; port: number; statsPort: number; env: Record<string, string>; backends: WsBackend[] }> {
  const backends = [await startWsBackend('s1'), await startWsBackend('s2')];
  cleanups.push(async () => void (await Promise.all(backends.map((b) => b.close()))));
  const env = { PORT: String(await freePort()), STATS: String(await freePort()), S1: String(s1Port ?? backends[0]!.port), S2: String(backends[1]!.port) };
  const edge = await startEdge(configText(extra), env);
  cleanups.push(() => edge.close(0));
  return { edge, port: Number(env.PORT), statsPort: Number(env.STATS), env, backends };
}

/** The CSV row of `proxy,name` as a field-name → value map. */
async function statsRow(port: number, proxy: string, name: string): Promise<Record<string, string>> {
  const csv = (await send(port, '/;csv')).body.trim().split('\n');
  const fields = csv[0]!.replace(/^# /, '').split(',');
  const row = csv.find((line) => line.startsWith(`${proxy},${name},`))!.split(',');
  return Object.fromEntries(fields.map((f, i) => [f, row[i]!]));
}

describe('Node tunnels', () => {
  it('a tunnel is a session in scur until it closes, its bytes count in bin/bout, the 101 as 1xx; logged at the end with its duration', async () => {
    const { edge, port, statsPort } = await setUp();
    const client = await openClient(port, { cookie: 'SERVERNAME=s1' });
    client.ws.send('x'.repeat(10_000));
    await client.next();
    const during = await statsRow(statsPort, 'app', 's1');
    expect(during).toMatchObject({ scur: '1', stot: '1', hrsp_1xx: '1' });
    expect(edge.access).toEqual([]);
    await new Promise((r) => setTimeout(r, 100)); // the tunnel's duration, logged
    client.ws.close(1000);
    await client.closed;
    await waitFor(() => edge.access.length > 0, "the tunnel's access-log line");
    const after = await statsRow(statsPort, 'app', 's1');
    expect(after.scur).toBe('0');
    expect(Number(after.bin)).toBeGreaterThan(10_000);
    expect(Number(after.bout)).toBeGreaterThan(10_000);
    expect(edge.access).toHaveLength(1);
    expect(edge.access[0]).toMatchObject({ status: 101, server: 's1', uri: '/chat' });
    expect(edge.access[0]!.totalTime).toBeGreaterThanOrEqual(100);
  });

  it('an upgrade the server declines (200) is counted and logged as an ordinary response', async () => {
    const { edge, port, statsPort } = await setUp();
    const request = 'GET /no-upgrade HTTP/1.1\r\nHost: a\r\nCookie: SERVERNAME=s1\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const received = await rawExchange(port, request, (r) => r.endsWith('not today\r\n'));
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    await waitFor(() => edge.access.length > 0, 'the access-log line');
    expect(edge.access[0]).toMatchObject({ status: 200, server: 's1', uri: '/no-upgrade' });
    expect(await statsRow(statsPort, 'app', 's1')).toMatchObject({ scur: '0', stot: '1', hrsp_2xx: '1' });
  });

  it('a refused connection before the 101 is retried and redispatched like any request (new cookie)', async () => {
    const { port } = await setUp('', await freePort());
    const client = await openClient(port, { cookie: 'SERVERNAME=s1' });
    expect(client.greeting).toBe('hello from s2');
    expect(client.head).toContainEqual(['set-cookie', 'SERVERNAME=s2; path=/']);
    client.ws.close();
    await client.closed;
  });

  it('half-close: the client finishes sending and still reads what the server sends after', async () => {
    const raw: Server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
      let seen = '';
      socket.on('data', (d: Buffer) => {
        if (!seen) socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: raw\r\nConnection: Upgrade\r\n\r\n');
        seen += d.toString();
      });
      socket.on('end', () => socket.end(`got ${seen.slice(seen.indexOf('\r\n\r\n') + 4)}`));
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    cleanups.push(() => new Promise((resolve) => raw.close(() => resolve())));
    const { port } = await setUp('', (raw.address() as AddressInfo).port);
    const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let received = '';
    client.on('data', (d: Buffer) => (received += d.toString()));
    client.write('GET /raw HTTP/1.1\r\nHost: a\r\nCookie: SERVERNAME=s1\r\nConnection: upgrade\r\nUpgrade: raw\r\n\r\nping');
    await waitFor(() => received.includes('\r\n\r\n'), 'the 101');
    client.end();
    await once(client, 'end');
    expect(received).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(received.endsWith('\r\n\r\ngot ping')).toBe(true);
    client.destroy();
  });

  it('a reload keeps open tunnels; a stop cuts them at the end of the grace period', async () => {
    const { edge, port, env } = await setUp();
    const client = await openClient(port, { cookie: 'SERVERNAME=s2' });
    const { config } = parseHaproxyConfig([{ file: 'test.cfg', text: configText('    timeout tunnel 1h\n') }], { env });
    await edge.reload(config, 0);
    client.ws.send('still here');
    expect((await client.next()).data.toString()).toBe('still here');
    const stopping = Date.now();
    const stopped = edge.close(300);
    const closed = await client.closed;
    await stopped;
    expect(closed.code).toBe(1006);
    expect(closed.at - stopping).toBeGreaterThanOrEqual(280);
    expect(closed.at - stopping).toBeLessThan(2000);
  });
});
