/**
 * WebSockets through haproxy 2.6 and through edge-balancer (Node), same
 * configuration, same `ws` servers and clients: what clients and servers
 * observe must be the same.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openClient, rawExchange, runWsOn, runWsOnBoth } from './ws-harness.ts';

const config = (extra = '') => `
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option httpclose
    option forwardfor
    cookie SERVERNAME insert indirect nocache
${extra}    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgradeRequest = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
const headOf = (received: string) => received.slice(0, received.indexOf('\r\n\r\n'));
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('WebSocket: haproxy vs edge-balancer (Node)', () => {
  it('the same 101 head (the server\'s lines, Set-Cookie when the client had none), server per cookie, request lines the server sees', async () => {
    const { haproxy, edge } = await runWsOnBoth(config(), ['s1', 's2'], async ({ port, backends }) => {
      const fresh = headOf(await rawExchange(port, upgradeRequest('/chat'), (r) => r.includes('\r\n\r\n')));
      const withCookie = headOf(await rawExchange(port, upgradeRequest('/chat', 'Cookie: a=1; SERVERNAME=s2\r\n'), (r) => r.includes('\r\n\r\n')));
      const greetings = [];
      for (const cookie of [undefined, 'SERVERNAME=s2', 'SERVERNAME=s1', 'SERVERNAME=s9']) {
        const client = await openClient(port, cookie ? { cookie } : {});
        greetings.push([cookie, client.greeting, client.head.filter(([n]) => n === 'set-cookie')]);
        client.ws.close();
        await client.closed;
      }
      const seen = (lines: [string, string][]) =>
        lines.filter(([n]) => ['connection', 'upgrade', 'cookie', 'x-forwarded-for'].includes(n.toLowerCase())).map(([n, v]) => `${n.toLowerCase()}: ${v}`);
      return { fresh, withCookie, greetings, s1Saw: seen(backends[0]!.upgrades[0]!), s2Saw: seen(backends[1]!.upgrades[0]!) };
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy.fresh).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(haproxy.fresh).toContain('set-cookie: SERVERNAME=s1; path=/');
    expect(haproxy.withCookie).not.toContain('set-cookie');
  });

  it('100 text and 100 binary messages, a 1 MiB message, ping/pong, subprotocols, close codes both ways', async () => {
    const { haproxy, edge } = await runWsOnBoth(config(), ['s1', 's2'], async ({ port, backends }) => {
      const client = await openClient(port, { cookie: 'SERVERNAME=s1', protocols: ['chat.v1', 'chat.v2'] });
      const echoes: string[] = [];
      for (let i = 0; i < 100; i++) {
        client.ws.send(`text ${i} ${'é'.repeat(i)}`);
        client.ws.send(Buffer.from([i, 255 - i, 0, i]));
      }
      for (let i = 0; i < 200; i++) {
        const m = await client.next();
        echoes.push(`${m.binary ? 'bin' : 'txt'}:${m.binary ? m.data.toString('hex') : m.data.toString()}`);
      }
      const big = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      client.ws.send(big);
      const bigEcho = await client.next();
      const pong = new Promise<string>((resolve) => client.ws.once('pong', (data: Buffer) => resolve(data.toString())));
      client.ws.ping('are you there');
      const pongData = await pong;
      client.ws.send('close:4001:server says bye');
      const serverClose = await client.closed;

      const other = await openClient(port, { cookie: 'SERVERNAME=s1', protocols: ['chat.v1'] });
      other.ws.close(4002, 'client says bye');
      await other.closed;
      for (let i = 0; i < 100 && backends[0]!.closes.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      return {
        protocol: client.ws.protocol,
        otherProtocol: other.ws.protocol,
        echoes: sha(Buffer.from(echoes.join('\n'))),
        firstEchoes: echoes.slice(0, 4),
        big: [bigEcho.binary, bigEcho.data.length, sha(bigEcho.data) === sha(big)],
        pongData,
        serverClose: [serverClose.code, serverClose.reason],
        serverSawClose: backends[0]!.closes,
      };
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy.big).toEqual([true, 1024 * 1024, true]);
    expect(haproxy.serverSawClose).toContainEqual({ code: 4002, reason: 'client says bye' });
  });

  it('an idle tunnel is closed after timeout tunnel (1006, no close frame); traffic keeps it open', async () => {
    const timing = async (kind: 'haproxy' | 'edge-balancer') =>
      runWsOn(kind, config('    timeout tunnel 1s\n'), ['s1', 's2'], async ({ port }) => {
        const busy = await openClient(port);
        const idle = await openClient(port);
        const opened = Date.now();
        // The busy one talks every 300 ms, past the idle one's end.
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 300));
          busy.ws.send('tick');
          await busy.next();
        }
        const closed = await idle.closed;
        const busyStillOpen = busy.ws.readyState === busy.ws.OPEN;
        busy.ws.close();
        await busy.closed;
        return { code: closed.code, afterMs: closed.at - opened, busyStillOpen };
      });
    for (const kind of ['haproxy', 'edge-balancer'] as const) {
      const result = await timing(kind);
      expect(result, kind).toMatchObject({ code: 1006, busyStillOpen: true });
      expect(result.afterMs, kind).toBeGreaterThanOrEqual(950);
      expect(result.afterMs, kind).toBeLessThan(1500);
    }
  });

  it('a server killed mid-tunnel closes the client at once', async () => {
    const { haproxy, edge } = await runWsOnBoth(config(), ['s1', 's2'], async ({ port, backends }) => {
      const client = await openClient(port, { cookie: 'SERVERNAME=s2' });
      const killedAt = Date.now();
      await backends[1]!.kill();
      const closed = await client.closed;
      return { code: closed.code, fast: closed.at - killedAt < 500 };
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy).toEqual({ code: 1006, fast: true });
  });

  it('an upgrade answered 200 is an ordinary response, and a request pipelined after it is answered (issue 15 item 10)', async () => {
    const { haproxy, edge } = await runWsOnBoth(config().replace('    option httpclose\n', ''), ['s1', 's2'], async ({ port }) => {
      const both = upgradeRequest('/no-upgrade', 'Cookie: SERVERNAME=s1\r\n') + 'GET /second HTTP/1.1\r\nHost: a.test\r\nCookie: SERVERNAME=s2\r\n\r\n';
      const received = await rawExchange(port, both, (r) => r.includes('{"server":'));
      return received.split(/\r\n\r\n/).map((part) => part.split('\r\n').filter((l) => /^HTTP|^not today|^\{/.test(l)));
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy.flat()).toEqual(['HTTP/1.1 200 OK', 'not today', 'HTTP/1.1 200 OK', '{"server":"s2"}']);
  });

  it('a request with a body is not upgraded (its Upgrade line is dropped), and the next one is answered too', async () => {
    const { haproxy, edge } = await runWsOnBoth(config().replace('    option httpclose\n', ''), ['s1', 's2'], async ({ port, backends }) => {
      const post = 'POST /form HTTP/1.1\r\nHost: a.test\r\nCookie: SERVERNAME=s1\r\nConnection: upgrade\r\nUpgrade: foo\r\nContent-Length: 3\r\n\r\nabc';
      const received = await rawExchange(port, `${post}GET /next HTTP/1.1\r\nHost: a.test\r\nCookie: SERVERNAME=s1\r\n\r\n`, (r) => r.split('{"server":').length === 3);
      return { answers: received.match(/^HTTP\/1\.1 \d+|\{"server":"s\d"\}/gm), upgrades: backends[0]!.upgrades.length };
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy).toEqual({ answers: ['HTTP/1.1 200', '{"server":"s1"}', 'HTTP/1.1 200', '{"server":"s1"}'], upgrades: 0 });
  });

  it('a WebSocket upgrade without a valid key gets 400, as from haproxy', async () => {
    const { haproxy, edge } = await runWsOnBoth(config(), ['s1', 's2'], async ({ port }) => {
      const bad = upgradeRequest('/chat').replace(KEY, 'short');
      return (await rawExchange(port, bad, (r) => r.includes('</html>'))).split('\r\n')[0];
    });
    expect(edge).toEqual(haproxy);
    expect(haproxy).toBe('HTTP/1.1 400 Bad request');
  });
});
