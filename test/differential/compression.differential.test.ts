/**
 * `compression` (issue 12), haproxy 2.6 vs edge-balancer (Node): which
 * responses are compressed, with which algorithm, the header edits
 * (Content-Encoding, Content-Length → chunked, `Vary: Accept-Encoding`, ETag
 * weakened), `compression offload`, and streaming (a compressed event reaches
 * the client before the server ends its response). Compressed bytes need not
 * equal haproxy's; they must decompress to what the server sent.
 */
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip, gzipSync, inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send, sendRaw } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

const BODY = 'hello compressed world, '.repeat(40);

/**
 * The server: `?ct=` content type (`-` for none), `?status=`, `?etag=`,
 * `?cc=` cache-control, `?ce=gzip` (a body already gzipped), `?vary=`,
 * `?empty=1` (Content-Length: 0), `?chunked=1` (no Content-Length).
 * `/sse` sends one event, waits for the test to say the client saw it, then
 * a second one and ends.
 */
interface Origin {
  readonly port: number;
  readonly acceptEncoding: (string | undefined)[];
  /** Lets `/sse` finish. */
  releaseStream(): void;
  close(): Promise<void>;
}

async function startOrigin(): Promise<Origin> {
  const acceptEncoding: (string | undefined)[] = [];
  let release: () => void = () => {};
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    acceptEncoding.push(req.headers['accept-encoding']);
    const url = new URL(req.url ?? '/', 'http://origin');
    const q = url.searchParams;
    if (url.pathname === '/sse') {
      res.writeHead(200, [['Content-Type', 'text/event-stream'], ['Cache-Control', 'no-cache']].flat());
      res.write('data: first\n\n');
      release = () => res.end('data: second\n\n');
      return;
    }
    const headers: [string, string][] = [];
    const ct = q.get('ct') ?? 'text/plain';
    if (ct !== '-') headers.push(['Content-Type', ct]);
    for (const name of ['etag', 'vary'] as const) {
      const value = q.get(name);
      if (value !== null) headers.push([name === 'etag' ? 'ETag' : 'Vary', value]);
    }
    if (q.has('cc')) headers.push(['Cache-Control', q.get('cc')!]);
    let body: Buffer = Buffer.from(q.has('empty') ? '' : BODY);
    if (q.get('ce') === 'gzip') {
      body = gzipSync(body);
      headers.push(['Content-Encoding', 'gzip']);
    }
    const status = Number(q.get('status') ?? 200);
    const bodyless = req.method === 'HEAD' || status === 204 || status === 304;
    if (q.has('chunked')) {
      res.writeHead(status, headers.flat());
      if (!bodyless) res.write(body.subarray(0, 10));
      res.end(bodyless ? undefined : body.subarray(10));
      return;
    }
    if (status !== 204 && status !== 304) headers.push(['Content-Length', String(body.length)]);
    res.writeHead(status, headers.flat());
    res.end(bodyless ? undefined : body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    acceptEncoding,
    releaseStream: () => release(),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function decoded(encoding: string | undefined, bytes: Buffer): string {
  if (encoding === 'gzip') return gunzipSync(bytes).toString();
  if (encoding === 'deflate') {
    // `deflate` is zlib-wrapped; haproxy's `raw-deflate` sends bare deflate under the same name.
    try {
      return inflateSync(bytes).toString();
    } catch {
      return inflateRawSync(bytes).toString();
    }
  }
  return bytes.toString();
}

interface Case {
  readonly path: string;
  readonly headers?: [string, string][];
  readonly method?: string;
}

async function exchange(port: number, origin: Origin, c: Case) {
  const before = origin.acceptEncoding.length;
  const response = await send(port, c.path, { method: c.method ?? 'GET', headers: c.headers ?? [] });
  const encoding = response.get('content-encoding');
  return {
    case: `${c.method ?? 'GET'} ${c.path} ${JSON.stringify(c.headers ?? [])}`,
    status: response.status,
    contentEncoding: encoding,
    contentLength: response.get('content-length'),
    transferEncoding: response.get('transfer-encoding'),
    vary: response.all('vary'),
    etag: response.all('etag'),
    bodyIsOriginal: c.method === 'HEAD' || response.status === 204 || response.status === 304 ? response.bytes.length === 0 : decoded(encoding, response.bytes) === (c.path.includes('empty') ? '' : BODY),
    serverSawAcceptEncoding: origin.acceptEncoding.slice(before),
  };
}

const CONFIG = (lines: string) => `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
listen app
    bind 127.0.0.1:\${PORT}
${lines}
    server s1 127.0.0.1:\${S1}
`;

async function onProxy<T>(kind: 'haproxy' | 'edge-balancer', config: string, run: (port: number, origin: Origin) => Promise<T>): Promise<T> {
  const origin = await startOrigin();
  const port = await freePort();
  const env = { PORT: String(port), S1: String(origin.port) };
  const proxy = kind === 'haproxy' ? await startHaproxy(config, [port], env) : await startEdge(config, env);
  try {
    return await run(port, origin);
  } finally {
    await (kind === 'haproxy' ? (proxy as { close(): Promise<void> }).close() : (proxy as { close(ms: number): Promise<void> }).close(0));
    await origin.close();
  }
}

async function both<T>(config: string, run: (port: number, origin: Origin) => Promise<T>): Promise<{ haproxy: T; edge: T }> {
  const haproxy = await onProxy('haproxy', config, run);
  const edge = await onProxy('edge-balancer', config, run);
  return { haproxy, edge };
}

const GZIP_DEFLATE: [string, string][] = [['Accept-Encoding', 'gzip, deflate']];

const TYPED_CASES: Case[] = [
  { path: '/', headers: GZIP_DEFLATE },
  { path: '/', headers: [['Accept-Encoding', 'deflate']] },
  { path: '/', headers: [['Accept-Encoding', 'br']] },
  { path: '/' },
  { path: '/', headers: [['Accept-Encoding', 'gzip;q=0.5, deflate']] },
  { path: '/', headers: [['Accept-Encoding', 'gzip;q=0.5, deflate;q=0.8']] },
  { path: '/', headers: [['Accept-Encoding', 'gzip;q=0, br']] },
  { path: '/', headers: [['Accept-Encoding', '*']] },
  { path: '/', headers: [['Accept-Encoding', 'GZIP']] },
  { path: '/', headers: [['Accept-Encoding', 'br'], ['Accept-Encoding', 'deflate']] },
  { path: '/?ct=application/json', headers: GZIP_DEFLATE },
  { path: '/?ct=text/plain;%20charset=utf-8', headers: GZIP_DEFLATE },
  { path: '/?ct=TEXT/HTML', headers: GZIP_DEFLATE },
  { path: '/?ct=-', headers: GZIP_DEFLATE },
  { path: '/?ce=gzip', headers: GZIP_DEFLATE },
  { path: '/?cc=public,%20no-transform', headers: GZIP_DEFLATE },
  { path: '/?etag=%22abc%22', headers: GZIP_DEFLATE },
  { path: '/?etag=W/%22abc%22', headers: GZIP_DEFLATE },
  { path: '/?etag=abc', headers: GZIP_DEFLATE },
  { path: '/?vary=Origin', headers: GZIP_DEFLATE },
  { path: '/?status=201', headers: GZIP_DEFLATE },
  { path: '/?status=203', headers: GZIP_DEFLATE },
  { path: '/?status=404', headers: GZIP_DEFLATE },
  { path: '/?status=204', headers: GZIP_DEFLATE },
  { path: '/?status=304', headers: GZIP_DEFLATE },
  { path: '/', method: 'HEAD', headers: GZIP_DEFLATE },
  { path: '/?empty=1', headers: GZIP_DEFLATE },
  { path: '/?chunked=1', headers: GZIP_DEFLATE },
  { path: '/', headers: [...GZIP_DEFLATE, ['User-Agent', 'Mozilla/4.0 (compatible; MSIE 5.0; Windows 98)']] },
  { path: '/', method: 'POST', headers: GZIP_DEFLATE },
];

describe('compression: haproxy vs edge-balancer (Node)', () => {
  it('chooses gzip/deflate from Accept-Encoding, skips what haproxy skips, edits the head as haproxy does', async () => {
    const config = CONFIG('    compression algo gzip deflate\n    compression type text/plain text/html');
    const { haproxy, edge } = await both(config, async (port, origin) => {
      const out = [];
      for (const c of TYPED_CASES) out.push(await exchange(port, origin, c));
      return out;
    });

    expect(edge).toEqual(haproxy);
    // What haproxy did, so a change of oracle shows here.
    const byCase = (i: number) => haproxy[i]!;
    expect(byCase(0)).toMatchObject({ contentEncoding: 'gzip', transferEncoding: 'chunked', contentLength: undefined, vary: ['Accept-Encoding'], bodyIsOriginal: true });
    expect(byCase(1)).toMatchObject({ contentEncoding: 'deflate', bodyIsOriginal: true });
    expect(byCase(2)).toMatchObject({ contentEncoding: undefined, vary: [] });
  });

  it('does not compress for an HTTP/1.0 client', async () => {
    const config = CONFIG('    compression algo gzip');
    const { haproxy, edge } = await both(config, async (port) => {
      const answer = await sendRaw(port, 'GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n');
      const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase();
      return { encoded: head.includes('content-encoding'), vary: head.includes('vary'), body: answer.slice(answer.indexOf('\r\n\r\n') + 4) === BODY };
    });

    expect(edge).toEqual(haproxy);
    expect(haproxy).toEqual({ encoded: false, vary: false, body: true });
  });

  it('offload: the server does not see Accept-Encoding when the balancer compresses; no type list compresses any type but multipart', async () => {
    const config = CONFIG('    compression algo gzip\n    compression offload');
    const cases: Case[] = [
      { path: '/?ct=application/json', headers: [['Accept-Encoding', 'gzip, br']] },
      { path: '/', headers: [['Accept-Encoding', 'br']] },
      { path: '/?ct=-', headers: [['Accept-Encoding', 'gzip']] },
      { path: '/?ct=multipart/mixed', headers: [['Accept-Encoding', 'gzip']] },
    ];
    const { haproxy, edge } = await both(config, async (port, origin) => {
      const out = [];
      for (const c of cases) out.push(await exchange(port, origin, c));
      return out;
    });

    expect(edge).toEqual(haproxy);
    expect(haproxy[0]).toMatchObject({ contentEncoding: 'gzip', serverSawAcceptEncoding: [undefined] });
    expect(haproxy[1]).toMatchObject({ contentEncoding: undefined, serverSawAcceptEncoding: ['br'] });
  });

  it('identity and raw-deflate', async () => {
    const config = CONFIG('    compression algo raw-deflate identity');
    const cases: Case[] = [
      { path: '/?etag=%22abc%22', headers: [['Accept-Encoding', 'br']] },
      { path: '/', headers: [['Accept-Encoding', 'deflate']] },
      { path: '/', headers: [['Accept-Encoding', '*']] },
    ];
    const { haproxy, edge } = await both(config, async (port, origin) => {
      const out = [];
      for (const c of cases) out.push(await exchange(port, origin, c));
      return out;
    });

    expect(edge).toEqual(haproxy);
  });

  it('counts comp_in, comp_out, comp_byp and comp_rsp in the stats CSV as haproxy does', async () => {
    const config = `${CONFIG('    compression algo gzip identity')}listen stats
    bind 127.0.0.1:\${STATS}
    stats enable
    stats uri /
`;
    const run = async (kind: 'haproxy' | 'edge-balancer') => {
      const origin = await startOrigin();
      const [port, stats] = [await freePort(), await freePort()];
      const env = { PORT: String(port), STATS: String(stats), S1: String(origin.port) };
      const proxy = kind === 'haproxy' ? await startHaproxy(config, [port, stats], env) : await startEdge(config, env);
      try {
        await exchange(port, origin, { path: '/', headers: [['Accept-Encoding', 'gzip']] });
        await exchange(port, origin, { path: '/', headers: [['Accept-Encoding', 'br']] });
        // A response's books close when its connection says it is over: ask until both are in (bounded).
        let rows: Record<string, string>[] = [];
        for (let attempt = 0; attempt < 50; attempt++) {
          const csv = (await send(stats, '/;csv')).body.trim().split('\n');
          const names = csv[0]!.replace(/^# /, '').split(',');
          rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
          if (rows.filter((r) => r.pxname === 'app' && r.comp_rsp === '2').length === 2) break;
        }
        return rows
          .filter((r) => r.pxname === 'app')
          .map((r) => ({ svname: r.svname, comp_in: r.comp_in, comp_byp: r.comp_byp, comp_rsp: r.comp_rsp, compOutBelowIn: r.comp_out === '' ? '' : Number(r.comp_out) > 0 && Number(r.comp_out) < Number(r.comp_in) }));
      } finally {
        await (kind === 'haproxy' ? (proxy as { close(): Promise<void> }).close() : (proxy as { close(ms: number): Promise<void> }).close(0));
        await origin.close();
      }
    };
    const haproxy = await run('haproxy');
    const edge = await run('edge-balancer');
    expect(edge).toEqual(haproxy);
    expect(haproxy).toContainEqual({ svname: 'FRONTEND', comp_in: String(BODY.length), comp_byp: String(BODY.length), comp_rsp: '2', compOutBelowIn: true });
  });

  it('streams: the first compressed event reaches the client before the server ends the response', async () => {
    const config = CONFIG('    compression algo gzip');
    const { haproxy, edge } = await both(config, async (port, origin) => {
      const response = await new Promise<IncomingMessage>((resolve, reject) =>
        get({ host: '127.0.0.1', port, path: '/sse', agent: false, headers: { 'accept-encoding': 'gzip' } }, resolve).once('error', reject),
      );
      const gunzip = createGunzip();
      response.pipe(gunzip);
      let text = '';
      let sawFirstBeforeEnd = false;
      gunzip.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (!sawFirstBeforeEnd && text.includes('data: first')) {
          sawFirstBeforeEnd = !text.includes('second');
          // Only now may the server finish: the first event came through on its own.
          origin.releaseStream();
        }
      });
      await once(gunzip, 'end');
      return { encoding: response.headers['content-encoding'], vary: response.headers.vary, sawFirstBeforeEnd, text };
    });

    expect(edge).toEqual(haproxy);
    expect(haproxy).toEqual({ encoding: 'gzip', vary: 'Accept-Encoding', sawFirstBeforeEnd: true, text: 'data: first\n\ndata: second\n\n' });
  });
});
