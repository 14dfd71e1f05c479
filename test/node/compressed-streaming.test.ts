/**
 * `compression` on the Node fast path under load and abort: a 40 MB body
 * goes through zlib with back-pressure and inflates to what the server sent;
 * a client that leaves mid-body stops the server's response (its connection
 * is closed), as without compression.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeBefore, type EdgeBeforeBackend } from '../helpers/edge-balancer.ts';

/** 1 MB of text that compresses well but not to nothing (a counter in each line). */
const CHUNK = Buffer.from(Array.from({ length: 1024 * 1024 / 32 }, (_, i) => `line ${String(i).padStart(10, '0')} of text\n`.padEnd(32, '.')).join(''));
const CHUNKS = 40;

let running: EdgeBeforeBackend;
/** Resolves with the server's response of the `/endless` request once it is closed. */
let endlessClosed: Promise<void> = Promise.resolve();

beforeAll(async () => {
  running = await startEdgeBefore(
    (req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (req.url === '/endless') {
        endlessClosed = once(res, 'close').then(() => {});
        // Writes as long as the connection takes it; stops when it closes.
        const pump = () => {
          while (!res.destroyed && res.write(CHUNK));
        };
        res.on('drain', pump);
        pump();
        return;
      }
      let sent = 0;
      const pump = () => {
        while (sent < CHUNKS) {
          sent++;
          if (!res.write(CHUNK)) return;
        }
        res.end();
      };
      res.on('drain', pump);
      pump();
    },
    ['compression algo gzip'],
  );
});

afterAll(() => running?.close());

function get(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) =>
    request({ port: running.port, host: '127.0.0.1', path, agent: false, headers: { 'accept-encoding': 'gzip' } }, resolve).on('error', reject).end(),
  );
}

describe('compressed bodies on the Node fast path', () => {
  it('compresses 40 MB with back-pressure; it inflates to what the server sent', async () => {
    const response = await get('/big');
    expect(response.headers['content-encoding']).toBe('gzip');
    const gunzip = createGunzip();
    response.pipe(gunzip);
    const hash = createHash('sha256');
    let bytes = 0;
    let wire = 0;
    response.on('data', (chunk: Buffer) => (wire += chunk.length));
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(CHUNK);
    expect(bytes).toBe(CHUNK.length * CHUNKS);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    expect(wire).toBeLessThan(bytes / 4);
  });

  it('a client leaving mid-body stops the server’s response', async () => {
    const response = await get('/endless');
    expect(response.headers['content-encoding']).toBe('gzip');
    await once(response, 'data');
    response.destroy();
    await endlessClosed;
  });
});
