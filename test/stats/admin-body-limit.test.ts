/**
 * The admin POST body limit (64 KiB) is enforced while the body is read
 * (issue 15, item 5): an authenticated chunked POST that goes on and on gets
 * HAProxy's 413 page once the limit is passed, and the balancer stops reading
 * there (it used to read the whole body into memory: 300 MiB took the
 * process from 84 MiB to 984 MiB RSS). Over a real socket, through the Node
 * adapter.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startEdge, type RunningEdge } from '../helpers/edge-balancer.ts';
import { freePort } from '../helpers/ports.ts';

const CONFIG = `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s

listen stats
  bind 127.0.0.1:\${PORT}
  stats enable
  stats uri /
  stats auth admin:secret
  stats admin if TRUE
`;

const AUTH = 'Basic ' + Buffer.from('admin:secret').toString('base64');
/** What the client offers at most; the old code read all of it before answering. */
const OFFERED = 64 * 1024 * 1024;
/** Far above the limit plus the sockets' buffers, far below what is offered. */
const READ_BOUND = 16 * 1024 * 1024;
const CHUNK = Buffer.alloc(16 * 1024, 'a');

let edge: RunningEdge | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await edge?.close(0);
  edge = socket = undefined;
});

async function start(): Promise<number> {
  edge = await startEdge(CONFIG, { PORT: String(await freePort()) });
  return edge.listeners[0]!.port;
}

/** Connects and sends a POST head; collects what comes back. */
async function post(port: number, framing: string): Promise<{ socket: Socket; received: () => string; answered: Promise<void>; closed: Promise<void> }> {
  const s = (socket = connect(port, '127.0.0.1'));
  await once(s, 'connect');
  let received = '';
  const answered = new Promise<void>((resolve) => s.on('data', (d: Buffer) => ((received += d.toString('latin1')), received.includes('\r\n\r\n') && resolve())));
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
  s.on('error', () => {}); // a reset after the answer is fine
  s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${AUTH}\r\nContent-Type: application/x-www-form-urlencoded\r\n${framing}\r\n`);
  return { socket: s, received: () => received, answered, closed };
}

describe('admin POST body limit', () => {
  test('a chunked body past 64 KiB gets the 413 page and is not read to its end', async () => {
    const port = await start();
    const { socket: s, received, answered, closed } = await post(port, 'Transfer-Encoding: chunked\r\n');
    let isAnswered = false;
    void answered.then(() => (isAnswered = true));
    let written = 0;
    // Bounded: at most OFFERED bytes, each write waiting for the socket to drain.
    while (!isAnswered && written < OFFERED && !s.destroyed) {
      const flushed = s.write(`${CHUNK.length.toString(16)}\r\n`) && s.write(CHUNK) && s.write('\r\n');
      written += CHUNK.length;
      if (!flushed) await Promise.race([once(s, 'drain'), answered, closed]);
    }
    if (!isAnswered && !s.destroyed) s.write('0\r\n\r\n'); // the old code answers only at the end
    await Promise.race([answered, closed]);
    expect(received()).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(written).toBeLessThan(READ_BOUND);
    await closed; // the balancer closes the connection rather than read the rest
    const body = received().slice(received().indexOf('\r\n\r\n') + 4);
    expect(body).toBe('<html><body><h1>413 Payload Too Large</h1>\nThe request entity exceeds the maximum allowed.\n</body></html>\n');
  });

  test('a Content-Length over the limit is refused before the body is read', async () => {
    const port = await start();
    const { received, answered, closed } = await post(port, `Content-Length: ${10 * 1024 * 1024}\r\n`);
    await answered;
    expect(received()).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    await closed;
  });

  test('a form within the limit is still read (chunked too)', async () => {
    const port = await start();
    const form = 'b=nope&s=x&action=drain&token=' + 'x'.repeat(1000);
    const { received, answered } = await post(port, 'Transfer-Encoding: chunked\r\n');
    socket!.write(`${form.length.toString(16)}\r\n${form}\r\n0\r\n\r\n`);
    await answered;
    // Read to the end and checked: the token is not ours.
    expect(received()).toMatch(/^HTTP\/1\.1 303 See Other\r\n/);
    expect(received()).toMatch(/\r\nlocation: \/;st=DENY\r\n/i);
  });
});
