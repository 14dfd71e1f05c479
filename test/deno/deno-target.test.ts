/**
 * The request-target on Deno, which gives no raw one (issue 15 items 3 and
 * 9): the balancer must route, match the stats URI on and forward the target
 * the client sent, whatever Host says, as on Node and haproxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { startDenoBalancer, type DenoBalancer } from '../helpers/deno.ts';
import { freePort } from '../helpers/ports.ts';

let backends: EchoBackend[];
let deno: DenoBalancer | undefined;
let port: number;

beforeAll(async () => {
  backends = [await startEchoBackend('app'), await startEchoBackend('admin')];
  port = await freePort();
  deno = await startDenoBalancer(
    `defaults
    mode http
    timeout connect 1s
    timeout server 10s
frontend web
    bind 127.0.0.1:${port}
    stats enable
    stats uri /stats
    stats auth admin:secret
    use_backend admin if { path_beg /admin }
    default_backend app
backend app
    server app 127.0.0.1:${backends[0]!.port}
backend admin
    server admin 127.0.0.1:${backends[1]!.port}
`,
    port,
  );
}, 60_000);

afterAll(async () => {
  await deno?.close();
  await Promise.all(backends?.map((b) => b.close()) ?? []);
});

const reply = (body: string) => JSON.parse(body) as EchoReply;

describe('Deno: the target the client sent', () => {
  it('`GET /public` with `Host: a/admin/y?` is routed and forwarded as /public (haproxy 2.6 does the same)', async () => {
    const response = await send(port, '/public', { headers: [['Host', 'a/admin/y?']] });
    expect(response.status).toBe(200);
    expect(reply(response.body)).toMatchObject({ server: 'app', url: '/public' });
  });

  it('a dot segment is neither resolved for routing nor in what the server sees', async () => {
    const response = await send(port, '/x/../admin/a?b');
    expect(reply(response.body)).toMatchObject({ server: 'app', url: '/x/../admin/a?b' });
  });

  it('the stats URI is matched on the target as sent: /stats/../x and /stats/%2e%2e/x are stats requests', async () => {
    for (const path of ['/stats/../x', '/stats/%2e%2e/x', '/stats']) {
      const arrivals = backends.map((b) => b.requests.length);
      const response = await send(port, path);
      expect(response.status, path).toBe(401);
      expect(backends.map((b) => b.requests.length), path).toEqual(arrivals);
    }
  });

  it('an absolute-form target naming another host than Host gets the 400 page', async () => {
    const response = await send(port, 'http://other.test/admin', { headers: [['Host', `127.0.0.1:${port}`]] });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/400 Bad request/);
  });
});
