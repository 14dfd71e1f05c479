/**
 * The request line in the httplog access line (issue 15, item 8),
 * differential: haproxy 2.6 logs to stdout (`log stdout format raw`, `option
 * httplog`) and edge-balancer formats its access entries with formatHttpLog;
 * the quoted request of each line must carry the same bytes. HAProxy writes
 * `"`, `#`, control bytes and bytes from 0x7F up as `#` + two hex digits
 * (log.c, url_encode_map); edge-balancer used to write `"GET /a"b"`.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { escapeLoggedRequest, formatHttpLog, formatJsonLog } from '../../src/proxy/access-log.ts';
import type { AccessLogEntry } from '../../src/deps.ts';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const CONFIG = `
global
  log stdout format raw local0

defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 10s
  timeout server 10s

listen app
  bind 127.0.0.1:\${PORT}
  server s1 127.0.0.1:\${S1}
`;

/**
 * Request targets haproxy 2.6 forwards (it answers 400 to `#` and to bytes
 * from 0x7F up in a target, so those reach the log only as `<BADREQ>`).
 */
const TARGETS = ['/plain?a=1&b=2', '/a"b', '/q?x="1"&y=<2>', '/{|}\\^`', '/%22%23'];

/** Sends `GET <target> HTTP/1.1` byte for byte and waits for the answer's head. */
async function get(port: number, target: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  const answered = new Promise<void>((resolve) =>
    socket.on('data', (d: Buffer) => ((received += d.toString('latin1')), received.includes('\r\n\r\n') && resolve())),
  );
  socket.write(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1'));
  await Promise.race([answered, once(socket, 'close')]);
  socket.destroy();
  return received.slice(0, 12);
}

/** The quoted request of an httplog line, without haproxy's ` HTTP/1.1` (edge-balancer's entry has no version). */
function loggedRequest(line: string): string {
  const quoted = /"(.*)"$/.exec(line.trimEnd())?.[1] ?? '';
  return quoted.replace(/ HTTP\/1\.1$/, '');
}

describe('access log escaping: haproxy vs edge-balancer', () => {
  test('the same bytes between the quotes for every target', async () => {
    const backend = await startEchoBackend('s1');
    const env = { PORT: String(await freePort()), S1: String(backend.port) };
    try {
      const haproxy = await startHaproxy(CONFIG, [Number(env.PORT)], env);
      const fromHaproxy: string[] = [];
      try {
        for (const target of TARGETS) expect(await get(Number(env.PORT), target)).toBe('HTTP/1.1 200');
        const lines = () => haproxy.output().split('\n').filter((line) => line.includes(' app app/s1 '));
        await waitFor(() => lines().length === TARGETS.length, 'haproxy logged every request');
        fromHaproxy.push(...lines().map(loggedRequest));
      } finally {
        await haproxy.close();
      }
      const edge = await startEdge(CONFIG, env);
      const fromEdge: string[] = [];
      try {
        for (const target of TARGETS) expect(await get(edge.listeners[0]!.port, target)).toBe('HTTP/1.1 200');
        await waitFor(() => edge.access.length === TARGETS.length, 'edge-balancer logged every request');
        fromEdge.push(...edge.access.map((entry) => loggedRequest(formatHttpLog(entry))));
      } finally {
        await edge.close(0);
      }
      expect(fromHaproxy).toEqual(['GET /plain?a=1&b=2', 'GET /a#22b', 'GET /q?x=#221#22&y=<2>', 'GET /{|}\\^`', 'GET /%22%23']);
      expect(fromEdge).toEqual(fromHaproxy);
    } finally {
      await backend.close();
    }
  });
});

describe('escapeLoggedRequest', () => {
  test("haproxy's url_encode_map: quote, hash, controls and 0x7F-0xFF; anything wider byte by byte in UTF-8", () => {
    expect(escapeLoggedRequest('GET /a b?c=d~')).toBe('GET /a b?c=d~');
    expect(escapeLoggedRequest('GET /"#\x00\x1f\x7f\x80\xff')).toBe('GET /#22#23#00#1F#7F#80#FF');
    expect(escapeLoggedRequest('GET /\u20ac\ud83d\ude00')).toBe('GET /#E2#82#AC#F0#9F#98#80');
  });

  test('an httplog line cannot be closed or split from inside the target; a JSON line stays one valid object', () => {
    const entry: AccessLogEntry = {
      clientAddress: '127.0.0.1', clientPort: 40000, acceptedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 6), frontend: 'app', backend: 'app',
      server: 's1', responseTime: 1, totalTime: 2, status: 200, retries: 0, redispatched: false, termination: '--',
      method: 'GET', uri: '/a" 200 "forged\r\nsecond line\ud800',
    };
    const line = formatHttpLog(entry);
    expect(line).toBe('127.0.0.1:40000 [02/Jan/2026:03:04:05.006] app app/s1 1/2 200 -- 0 "GET /a#22 200 #22forged#0D#0Asecond line#EF#BF#BD"');
    const json = formatJsonLog(entry);
    expect(json).not.toMatch(/[\r\n]/);
    expect(JSON.parse(json)).toMatchObject({ uri: entry.uri, method: 'GET' });
  });
});
