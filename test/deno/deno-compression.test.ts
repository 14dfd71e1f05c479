/**
 * `compression` on Deno (issue 12): a streamed response is compressed with
 * the Web CompressionStream, which Deno flushes after every chunk, so the
 * first event of a server-sent stream reaches the client (and inflates)
 * before the server ends the response, as through haproxy.
 */
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { expect, it } from 'vitest';
import { startDenoBalancer } from '../helpers/deno.ts';
import { freePort } from '../helpers/ports.ts';

it('streams compressed events as they come', async () => {
  let finish: () => void = () => {};
  const origin = createServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    finish = () => res.end('data: second\n\n');
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  const port = await freePort();
  const deno = await startDenoBalancer(
    `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:${port}
    compression algo gzip
    server s1 127.0.0.1:${(origin.address() as AddressInfo).port}
`,
    port,
  );
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get({ host: '127.0.0.1', port, path: '/events', agent: false, headers: { 'accept-encoding': 'gzip' } }, resolve).once('error', reject),
    );
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers.vary).toBe('Accept-Encoding');
    const gunzip = createGunzip();
    response.pipe(gunzip);
    let text = '';
    let firstAlone: boolean | undefined;
    gunzip.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (firstAlone === undefined && text.includes('data: first\n\n')) {
        firstAlone = !text.includes('second');
        // Only now may the server finish: the first event came through on its own.
        finish();
      }
    });
    await once(gunzip, 'end');
    expect(firstAlone).toBe(true);
    expect(text).toBe('data: first\n\ndata: second\n\n');
  } finally {
    await deno.close();
    origin.closeAllConnections();
    origin.close();
  }
});
