/**
 * `maxconn`: at the limit haproxy stops accepting, so the next client waits
 * in the kernel's listen queue (connected, not refused, not reset) and is
 * served as soon as a connection closes. Same traffic on haproxy and on
 * edge-balancer (Node, and Deno's raw front on a plain bind), with the
 * global limit and with a frontend's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deno } from '../conformance/runtimes.ts';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { holdConnection, type HeldConnection } from '../helpers/held-connection.ts';
import { freePort } from '../helpers/ports.ts';
import { runOnBoth, type ProxyUnderTest } from './harness.ts';

const LIMIT = 3;

const config = (global: string, section: string) => `
global
${global}
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 5s
listen app
    bind 127.0.0.1:\${PORT}
${section}
    server s1 127.0.0.1:\${S1}
`;

/** LIMIT kept-alive connections, one more client, then one of the first closes. */
async function overTheLimit({ port }: ProxyUnderTest) {
  const held: HeldConnection[] = [];
  try {
    for (let i = 0; i < LIMIT; i++) held.push(await holdConnection(port));
    const firstStatuses = await Promise.all(held.map((c) => c.request()));
    const extra = await holdConnection(port);
    held.push(extra);
    const extraAnswer = extra.request();
    let answeredEarly = false;
    void extraAnswer.then(() => (answeredEarly = true), () => undefined);
    // The proxy is working meanwhile: held connections are still served. One
    // round trip on each leaves time for a wrongly accepted request to be answered.
    for (const connection of held.slice(0, LIMIT)) await connection.request();
    await held[0]!.request();
    const waitedWhileFull = !answeredEarly;
    await held[0]!.close();
    const extraStatus = await extraAnswer;
    return { firstStatuses, waitedWhileFull, extraStatus, extraEndedBy: extra.endedBy ?? 'open' };
  } finally {
    await Promise.all(held.map((c) => c.close()));
  }
}

const expected = { firstStatuses: [200, 200, 200], waitedWhileFull: true, extraStatus: 200, extraEndedBy: 'open' };

describe('maxconn: haproxy vs edge-balancer', () => {
  it(`global maxconn ${LIMIT}: the next client waits, then is served when one closes`, async () => {
    const { haproxy, edge } = await runOnBoth(config(`    maxconn ${LIMIT}`, ''), ['s1'], overTheLimit);
    expect(haproxy).toEqual(expected);
    expect(edge).toEqual(haproxy);
  });

  it(`listen maxconn ${LIMIT} under a larger global one: the same`, async () => {
    const { haproxy, edge } = await runOnBoth(config('    maxconn 100', `    maxconn ${LIMIT}`), ['s1'], overTheLimit);
    expect(haproxy).toEqual(expected);
    expect(edge).toEqual(haproxy);
  });
});

describe('maxconn on Deno (its raw front pauses accepting) vs haproxy', () => {
  let backend: EchoBackend;
  beforeAll(async () => {
    backend = await startEchoBackend('s1');
  });
  afterAll(async () => {
    await backend?.close();
  });

  const onDeno = async (text: string) => {
    const port = await freePort();
    const running = await deno.start(text, { PORT: String(port), S1: String(backend.port) }, [port]);
    try {
      return await overTheLimit({ port } as ProxyUnderTest);
    } finally {
      await running.close();
    }
  };

  it(`global maxconn ${LIMIT}`, async () => {
    expect(await onDeno(config(`    maxconn ${LIMIT}`, ''))).toEqual(expected);
  });

  it(`listen maxconn ${LIMIT} under a larger global one`, async () => {
    expect(await onDeno(config('    maxconn 100', `    maxconn ${LIMIT}`))).toEqual(expected);
  });

  it('a connection `http-request reject` dropped frees its place: at maxconn 1 the next client is served', async () => {
    const port = await freePort();
    const text = config('    maxconn 1', '    http-request reject if { path /rejected }');
    const running = await deno.start(text, { PORT: String(port), S1: String(backend.port) }, [port]);
    try {
      await expect(send(port, '/rejected')).rejects.toThrow();
      expect((await send(port, '/')).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
