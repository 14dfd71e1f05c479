/**
 * The fast path writes the server's body chunks to the client itself
 * (adapters/node/upstream-body.ts): every byte is counted in bout, and a
 * client that goes away mid-body stops the server's body and closes the books
 * on the request.
 */
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeBefore, type EdgeBeforeBackend } from '../helpers/edge-balancer.ts';

let running: EdgeBeforeBackend;
let port: number;
/** The backend's response of /hang, held open. */
let hanging: Promise<ServerResponse>;
let hangingArrived: (response: ServerResponse) => void = () => {};

beforeAll(async () => {
  running = await startEdgeBefore((req, res) => {
    res.sendDate = false;
    const size = Number(/^\/bytes\/(\d+)$/.exec(req.url ?? '')?.[1]);
    if (size) {
      res.writeHead(200, { 'content-length': String(size) });
      // Several writes, so the body reaches the proxy in many chunks.
      for (let sent = 0; sent < size; sent += 64 * 1024) res.write(Buffer.alloc(Math.min(64 * 1024, size - sent), 1));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(1024, 2));
    hangingArrived(res);
  }, ['stats uri /stats']);
  port = running.port;
});

afterAll(() => running?.close());

function fetchBytes(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res: IncomingMessage) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The backend's row of the CSV stats page: name → value. */
async function backendStats(): Promise<Record<string, string>> {
  const csv = await new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/stats;csv', agent: false }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  const [header, ...rows] = csv.trim().split('\n');
  const names = header!.replace(/^# /, '').split(',');
  const values = rows.find((row) => row.startsWith('app,BACKEND,'))!.split(',');
  return Object.fromEntries(names.map((name, i) => [name, values[i]!]));
}

describe('response bodies on the fast path', () => {
  it('counts every body byte in bout', async () => {
    // Content-Length values of the same width: the heads are the same size.
    const before = Number((await backendStats()).bout);
    expect(await fetchBytes('/bytes/1048576')).toBe(1048576);
    const afterFirst = Number((await backendStats()).bout);
    expect(await fetchBytes('/bytes/2000000')).toBe(2000000);
    const afterSecond = Number((await backendStats()).bout);
    expect(afterSecond - afterFirst - (afterFirst - before)).toBe(2000000 - 1048576);
  });

  it('stops the server body when the client goes away, and ends the request', async () => {
    hanging = new Promise((resolve) => (hangingArrived = resolve));
    const client = get({ host: '127.0.0.1', port, path: '/hang' });
    const [response] = (await once(client, 'response')) as [IncomingMessage];
    await once(response, 'data');
    const serverSide = await hanging;
    const serverClosed = once(serverSide, 'close');
    // A reset, not a FIN: a half-closed client still gets its response (no abortonclose).
    client.socket!.resetAndDestroy();
    await serverClosed;
    await expect.poll(async () => (await backendStats()).scur).toBe('0');
  });
});
