/**
 * On Node a stats request is admitted by the fast path and served by the Hono
 * app; the app acts on that decision instead of admitting the request again,
 * so the frontend's `http-request` rules (which run before `stats uri`, as in
 * HAProxy) run once per request. A `proc.` counter shows how often they ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeBefore, type EdgeBeforeBackend } from '../helpers/edge-balancer.ts';
import { send } from '../helpers/http-client.ts';

let lb: EdgeBeforeBackend;

beforeAll(async () => {
  lb = await startEdgeBefore((_, response) => response.end('ok'), [
    'stats enable',
    'stats uri /stats',
    'stats auth admin:secret',
    'http-request set-var(proc.hits) int(0) unless { var(proc.hits) -m found }',
    'http-request set-var(proc.hits) var(proc.hits),add(1)',
    'http-response set-header X-Hits %[var(proc.hits)]',
  ]);
});
afterAll(() => lb.close());

describe('stats requests on Node', () => {
  it("run the frontend's http-request rules once", async () => {
    expect((await send(lb.port, '/')).get('x-hits')).toBe('1');
    expect((await send(lb.port, '/stats')).status).toBe(401);
    expect((await send(lb.port, '/stats;csv', { headers: [['authorization', `Basic ${btoa('admin:secret')}`]] })).status).toBe(200);
    // Two stats requests in between: 4 if each ran the rules once, 6 if twice.
    expect((await send(lb.port, '/')).get('x-hits')).toBe('4');
  });
});
