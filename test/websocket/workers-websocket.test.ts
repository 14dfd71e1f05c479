/**
 * WebSockets through the Worker in workerd (miniflare): `fetch` to the server
 * with the upgrade headers gives a 101 Response with a `webSocket`, handed
 * back to the client with the persistence Set-Cookie; the cookie picks the
 * server; messages, binary frames, subprotocols and close codes pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../workers/start-worker.ts';
import { openClient } from './ws-harness.ts';
import { startWsBackend, type WsBackend } from './ws-backend.ts';

const CONFIG = `defaults
    mode http
    timeout connect 1s
    timeout server 5s
listen app
    bind :8080
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`;

describe('WebSocket through the Worker (workerd)', () => {
  let backends: WsBackend[];
  let worker: RunningWorker;

  beforeAll(async () => {
    backends = [await startWsBackend('s1'), await startWsBackend('s2')];
    worker = await startWorker(CONFIG, { S1: String(backends[0]!.port), S2: String(backends[1]!.port) });
  });
  afterAll(async () => {
    await worker?.close();
    await Promise.all((backends ?? []).map((b) => b.close()));
  });

  it('a 101 with the persistence cookie; the cookie picks the server; messages, binary, subprotocol and close codes pass', async () => {
    const fresh = await openClient(worker.port, { protocols: ['chat.v1', 'chat.v2'] });
    const cookie = fresh.head.find(([n]) => n === 'set-cookie')?.[1];
    expect(cookie).toMatch(/^SERVERNAME=s[12]; path=\/$/);
    expect(fresh.greeting).toBe(`hello from ${cookie!.slice(11, 13)}`);
    expect(fresh.ws.protocol).toBe('chat.v2');
    fresh.ws.send('text');
    fresh.ws.send(Buffer.from([0, 1, 2, 255]));
    expect(await fresh.next()).toEqual({ data: Buffer.from('text'), binary: false });
    expect(await fresh.next()).toEqual({ data: Buffer.from([0, 1, 2, 255]), binary: true });
    fresh.ws.send('close:4001:server says bye');
    expect(await fresh.closed).toMatchObject({ code: 4001, reason: 'server says bye' });

    for (const server of ['s1', 's2', 's2']) {
      const sticky = await openClient(worker.port, { cookie: `SERVERNAME=${server}` });
      expect(sticky.greeting).toBe(`hello from ${server}`);
      expect(sticky.head.some(([n]) => n === 'set-cookie')).toBe(false);
      sticky.ws.close(4002, 'client says bye');
      await sticky.closed;
    }
    expect(backends[1]!.closes).toContainEqual({ code: 4002, reason: 'client says bye' });
    const upgrade = backends[1]!.upgrades.at(-1)!;
    expect(upgrade.filter(([n]) => n.toLowerCase() === 'cookie')).toEqual([]);
    expect(upgrade.some(([n]) => n.toLowerCase() === 'x-forwarded-for')).toBe(true);
  });
});
