/**
 * Basic auth of the seed's stats section, compared with the real haproxy
 * 2.6 on the same requests: status, the headers that matter and the body,
 * byte for byte. Both seed users get in; nobody else does; a malformed
 * header is a 401, never a 500.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.ts';
import { send as sendRaw, type ClientResponse } from '../helpers/http-client.ts';
import { freePorts } from '../helpers/ports.ts';
import { basic, seedConfig, server, statsConfig } from './fixtures.ts';
import { serveStats, type ServedStats } from './serve-stats.ts';

const HAPROXY_CONFIG = (statsPort: number, appPort: number, s1: number) => `
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

listen stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /
  stats realm Strictly\\ Private
  stats auth A_Username:YourPassword
  stats auth Another_User:passwd

listen app
  bind 127.0.0.1:${appPort}
  balance roundrobin
  server s1 127.0.0.1:${s1} check
`;

/** helpers/http-client sends no Host header unless given one; browsers and curl always do. */
function send(port: number, path: string, options: { headers?: [string, string][] } = {}) {
  return sendRaw(port, path, { headers: [['Host', `127.0.0.1:${port}`], ...(options.headers ?? [])] });
}

let haproxy: RunningHaproxy;
let edge: ServedStats;
let haproxyPort: number;

beforeAll(async () => {
  const [statsPort, appPort, s1] = await freePorts(3);
  haproxyPort = statsPort!;
  haproxy = await startHaproxy(HAPROXY_CONFIG(statsPort!, appPort!, s1!), [statsPort!]);
  edge = await serveStats(seedConfig(0, 0, [server('s1', s1!)], statsConfig({ admin: false })));
});

afterAll(async () => {
  await haproxy?.close();
  await edge?.close();
});

const CASES: [string, [string, string][]][] = [
  ['no Authorization header', []],
  ['wrong user', [['Authorization', basic('nobody', 'YourPassword')]]],
  ['wrong password', [['Authorization', basic('A_Username', 'passwd')]]],
  ['password of the other user', [['Authorization', basic('Another_User', 'YourPassword')]]],
  ['empty credentials', [['Authorization', basic('', '')]]],
  ['malformed base64', [['Authorization', 'Basic !!!not-base64!!!']]],
  ['no colon in the credentials', [['Authorization', 'Basic ' + Buffer.from('A_Username').toString('base64')]]],
  ['Basic without credentials', [['Authorization', 'Basic']]],
  ['other scheme', [['Authorization', 'Bearer abc.def.ghi']]],
  ['garbage header', [['Authorization', '\u00ff\u00fe']]],
];

function essentials(r: ClientResponse) {
  return {
    status: r.status,
    'cache-control': r.get('cache-control'),
    'content-type': r.get('content-type'),
    'www-authenticate': r.all('www-authenticate'),
    body: r.body,
  };
}

describe('401 exactly as haproxy sends it', () => {
  test.each(CASES)('%s', async (_name, headers) => {
    const expected = await send(haproxyPort, '/', { headers });
    const actual = await send(edge.port, '/', { headers });
    expect(expected.status).toBe(401);
    expect(essentials(actual)).toEqual(essentials(expected));
    // The realm's escaped space is a plain space, nothing re-escaped.
    expect(actual.get('www-authenticate')).toBe('Basic realm="Strictly Private"');
  });

  test('HTTP/1.0 clients also get Connection: close, like haproxy', async () => {
    const raw = async (port: number) => {
      const { connect } = await import('node:net');
      return new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end('GET / HTTP/1.0\r\nHost: x\r\n\r\n'));
        let data = '';
        socket.on('data', (d) => (data += d));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
    };
    for (const text of [await raw(haproxyPort), await raw(edge.port)]) {
      expect(text).toMatch(/^HTTP\/1\.[01] 401 Unauthorized\r\n/);
      expect(text.toLowerCase()).toContain('\r\nconnection: close\r\n');
      expect(text).toContain('You need a valid user and password to access this content.');
    }
  });
});

describe('the seed users get in', () => {
  test.each([
    ['A_Username', 'YourPassword'],
    ['Another_User', 'passwd'],
  ])('%s', async (user, password) => {
    const headers: [string, string][] = [['Authorization', basic(user, password)]];
    const expected = await send(haproxyPort, '/;csv', { headers });
    const actual = await send(edge.port, '/;csv', { headers });
    expect(actual.status).toBe(expected.status);
    expect(actual.status).toBe(200);
    expect(actual.get('content-type')).toBe(expected.get('content-type'));
    expect(actual.get('cache-control')).toBe(expected.get('cache-control'));
    expect(actual.body.split('\n')[0]).toBe(expected.body.split('\n')[0]);
  });

  test('passwords never reach the log', async () => {
    await send(edge.port, '/', { headers: [['Authorization', basic('A_Username', 'YourPassword')]] });
    expect(edge.deps.messages.join('\n')).not.toContain('YourPassword');
  });
});

test('a section without stats auth is open, as in haproxy', async () => {
  const open = await serveStats(seedConfig(0, 0, [], statsConfig({ users: [] })));
  try {
    expect((await send(open.port, '/;csv')).status).toBe(200);
  } finally {
    await open.close();
  }
});
