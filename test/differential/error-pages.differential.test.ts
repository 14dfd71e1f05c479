/**
 * HAProxy's own error pages, byte for byte: 502 when the server answers with
 * garbage, 504 when `timeout server` expires, 503 when no server is left.
 * Same traffic on haproxy and on edge-balancer.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, type ClientResponse } from '../helpers/http-client.ts';
import { runOnBoth } from './harness.ts';

/** Answers every connection with a line that is not HTTP, then closes it. */
let garbage: Server;
let garbagePort: number;

beforeAll(async () => {
  garbage = createServer((socket) => socket.write('this is not http\r\n\r\n', () => socket.destroy()));
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  garbagePort = (garbage.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => garbage.close(() => resolve())));

const config = () => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 300ms
    retries 0
frontend web
    bind 127.0.0.1:\${PORT}
    use_backend bad if { path_beg /bad }
    use_backend none if { path_beg /none }
    default_backend slow
backend slow
    server s1 127.0.0.1:\${S1}
backend bad
    server g1 127.0.0.1:${garbagePort}
backend none
    server off 127.0.0.1:\${S1} disabled
`;

const page = (r: ClientResponse) => ({
  status: r.status,
  body: r.body,
  cacheControl: r.get('cache-control'),
  contentType: r.get('content-type'),
  connection: r.get('connection'),
});

describe('error pages: haproxy vs edge-balancer', () => {
  it('502, 504 and 503 have the same status, body and headers', async () => {
    const { haproxy, edge } = await runOnBoth(config(), ['s1'], async ({ port }) => ({
      badGateway: page(await send(port, '/bad')),
      timeout: page(await send(port, '/?delay=2000')),
      unavailable: page(await send(port, '/none')),
    }));
    expect(haproxy.badGateway.status).toBe(502);
    expect(haproxy.timeout.status).toBe(504);
    expect(haproxy.unavailable.status).toBe(503);
    expect(edge).toEqual(haproxy);
  });
});
