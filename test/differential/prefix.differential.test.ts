/** `cookie JSESSIONID prefix indirect nocache` on haproxy and on edge-balancer. */
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-client.ts';
import { observe, runOnBoth } from './harness.ts';

const PREFIX = `
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen appname
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option httpclose
    cookie JSESSIONID prefix indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1 check
    server s2 127.0.0.1:\${S2} cookie s2 check
`;

const q = (...cookies: string[]) => '/?' + cookies.map((c) => `set-cookie=${encodeURIComponent(c)}`).join('&');

describe('prefix config: haproxy vs edge-balancer', () => {
  it('prefixes, strips and routes application cookies identically', async () => {
    const { haproxy, edge } = await runOnBoth(PREFIX, ['s1', 's2'], async ({ port }) => {
      const exchanges: [string, [string, string][]][] = [
        [q('JSESSIONID=s1abc1; Path=/; HttpOnly'), []],
        [q('JSESSIONID=plain5'), []],
        [q('JSESSIONID=abc; Path=/', 'theme=dark'), []],
        [q('theme=dark', 'JSESSIONID=two; Secure'), []],
        ['/', []],
        ['/', [['Cookie', 'a=1; JSESSIONID=s1~xyz; b=2']]],
        ['/', [['Cookie', 'JSESSIONID=s2~xyz']]],
        ['/', [['Cookie', 'JSESSIONID=s9~abc']]],
        ['/', [['Cookie', 'JSESSIONID=abc']]],
        [q('JSESSIONID=new; Path=/', 'theme=dark'), [['Cookie', 'JSESSIONID=s1~old']]],
        [q('JSESSIONID=new; Path=/'), [['Cookie', 'JSESSIONID=s9~old']]],
        [q('JSESSIONID=c1; Path=/') + '&cache-control=public%2C%20max-age%3D60', []],
        [q('JSESSIONID=c2; Path=/') + '&cache-control=no-cache', []],
      ];
      const observed = [];
      for (const [path, headers] of exchanges) observed.push(observe(await send(port, path, { headers })));
      return observed;
    });
    expect(edge).toEqual(haproxy);
  });
});
