/** The seed config (`cookie SERVERNAME insert indirect nocache`) on haproxy and on edge-balancer. */
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-client.ts';
import { observe, runOnBoth } from './harness.ts';

const SEED = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen appname
    bind 127.0.0.1:\${PORT}
    mode http
    balance roundrobin
    option httpclose
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server apache-1 127.0.0.1:\${S1} cookie s1 check
    server apache-2 127.0.0.1:\${S2} cookie s2 check
`;

const CACHEABLE = 'cache-control=public%2C%20max-age%3D60';

describe('seed insert config: haproxy vs edge-balancer', () => {
  it('gives the same status, cookies, cache headers, backend and backend view', async () => {
    const { haproxy, edge } = await runOnBoth(SEED, ['apache-1', 'apache-2'], async ({ port }) => {
      const exchanges: [string, [string, string][]][] = [
        ['/', []],
        ['/', []],
        ['/', [['Cookie', 'SERVERNAME=s1']]],
        ['/', [['Cookie', 'SERVERNAME=s2']]],
        ['/', [['Cookie', 'a=1; SERVERNAME=s2; b=2']]],
        ['/', [['Cookie', 'SERVERNAME=s9']]],
        ['/', [['Cookie', 'a=1'], ['Cookie', 'SERVERNAME=s1']]],
        [`/?${CACHEABLE}`, []],
        [`/?${CACHEABLE}`, [['Cookie', 'SERVERNAME=s1']]],
        ['/?cache-control=private', []],
        ['/?set-cookie=SERVERNAME%3Dfromapp', []],
        ['/?set-cookie=theme%3Ddark', [['Cookie', 'SERVERNAME=s2']]],
        ['/', [['X-Forwarded-For', '203.0.113.7']]],
      ];
      const observed = [];
      for (const [path, headers] of exchanges) {
        observed.push(observe(await send(port, path, { headers }), ['cookie', 'x-forwarded-for', 'connection']));
      }
      return observed;
    });
    expect(edge).toEqual(haproxy);
  });
});
