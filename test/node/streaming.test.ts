/**
 * Bodies stream through the balancer in both directions: the far side sees
 * the first bytes before the near side has finished sending, and 50 MB arrive
 * intact. A balancer that buffered whole bodies would deadlock here.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeBefore, type EdgeBeforeBackend } from '../helpers/edge-balancer.ts';

const CHUNK = Buffer.alloc(1024 * 1024, 7);
const CHUNKS = 50;

let running: EdgeBeforeBackend;
let port: number;
/** Resolved by the backend when the first upload bytes arrive. */
let uploadStarted: () => void = () => {};
/** The test tells the download to go on once the client has its first bytes. */
let continueDownload: () => void = () => {};

beforeAll(async () => {
  running = await startEdgeBefore((req, res) => {
    if (req.url === '/upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) uploadStarted();
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(CHUNK);
    continueDownload = () => {
      for (let i = 1; i < CHUNKS; i++) res.write(CHUNK);
      res.end();
    };
  });
  port = running.port;
});

afterAll(() => running?.close());

describe('body streaming', () => {
  it('streams a 50 MB download: the client gets bytes before the server has finished', async () => {
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      request({ port, host: '127.0.0.1', path: '/download', agent: false }, resolve).on('error', reject).end(),
    );
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (bytes === 0) continueDownload();
      bytes += chunk.length;
      hash.update(chunk);
    }
    expect(bytes).toBe(CHUNK.length * CHUNKS);
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(CHUNK);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
  });

  it('streams a 50 MB upload: the server gets bytes before the client has finished', async () => {
    const started = new Promise<void>((resolve) => (uploadStarted = resolve));
    const req = request({ port, host: '127.0.0.1', path: '/upload', method: 'POST', agent: false });
    const responded = new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    req.write(CHUNK);
    await started;
    const expected = createHash('sha256').update(CHUNK);
    for (let i = 1; i < CHUNKS; i++) {
      expected.update(CHUNK);
      if (!req.write(CHUNK)) await once(req, 'drain');
    }
    req.end();
    const response = await responded;
    let text = '';
    for await (const chunk of response as AsyncIterable<Buffer>) text += chunk.toString();
    expect(JSON.parse(text)).toEqual({ bytes: CHUNK.length * CHUNKS, sha256: expected.digest('hex') });
  });
});
