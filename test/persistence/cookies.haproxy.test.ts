/**
 * The real haproxy (2.6) is the oracle: for each case the same request goes
 * through haproxy, and our pure functions must produce exactly what haproxy
 * produced — the Cookie lines the backend received and the Set-Cookie /
 * Cache-Control lines the client received.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookiePolicy, Server } from '../../src/config/types.ts';
import { applyResponseCookie, decodeS30, encodeS30, readPersistenceCookie } from '../../src/persistence/index.ts';
import type { HeaderLines } from '../../src/persistence/index.ts';
import { pairs } from '../helpers/echo-backend.ts';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

type Lines = [string, string][];

const POLICY: CookiePolicy = {
  name: 'SERVERNAME', mode: 'insert', indirect: false, nocache: false, postonly: false, preserve: false,
  httponly: false, secure: false, domains: [], attrs: [],
};

/** One `listen` section: its haproxy directive and the equivalent policy. */
interface Listen {
  readonly directive: string;
  readonly policy: CookiePolicy;
  /** Server s2 has no `cookie VALUE`. */
  readonly s2WithoutCookie?: boolean;
  port: number;
}

const LISTENS = {
  ins: {
    directive: 'cookie SERVERNAME insert indirect nocache',
    policy: { ...POLICY, indirect: true, nocache: true },
    port: 0,
  },
  pfx: {
    directive: 'cookie JSESSIONID prefix indirect nocache',
    policy: { ...POLICY, name: 'JSESSIONID', mode: 'prefix', indirect: true, nocache: true },
    port: 0,
  },
  attrs: {
    directive: 'cookie SERVERNAME insert indirect nocache httponly secure domain .example.com attr SameSite=Lax',
    policy: { ...POLICY, indirect: true, nocache: true, httponly: true, secure: true, domains: ['.example.com'], attrs: ['SameSite=Lax'] },
    port: 0,
  },
  dates: {
    directive: 'cookie SRV insert indirect nocache maxidle 30m maxlife 8h',
    policy: { ...POLICY, name: 'SRV', indirect: true, nocache: true, maxidle: 30 * 60_000, maxlife: 8 * 3_600_000 },
    port: 0,
  },
  psv: {
    directive: 'cookie SRV insert preserve',
    policy: { ...POLICY, name: 'SRV', preserve: true },
    port: 0,
  },
  rw: {
    directive: 'cookie SRV rewrite',
    policy: { ...POLICY, name: 'SRV', mode: 'rewrite' },
    port: 0,
  },
  post: {
    directive: 'cookie SRV insert postonly domain .a.example domain .b.example attr SameSite=Lax attr Partitioned',
    policy: { ...POLICY, name: 'SRV', postonly: true, domains: ['.a.example', '.b.example'], attrs: ['SameSite=Lax', 'Partitioned'] },
    s2WithoutCookie: true,
    port: 0,
  },
  pfxplain: {
    directive: 'cookie JSESSIONID prefix',
    policy: { ...POLICY, name: 'JSESSIONID', mode: 'prefix' },
    s2WithoutCookie: true,
    port: 0,
  },
} satisfies Record<string, Listen>;

type ListenName = keyof typeof LISTENS;

/** What the test backends send, derived from the query string: `sc` Set-Cookie, `cc` Cache-Control, `h` Name:value, `status`. */
function backendResponse(url: string): { status: number; headers: Lines } {
  const q = new URL(url, 'http://x').searchParams;
  const headers: Lines = [];
  for (const v of q.getAll('sc')) headers.push(['Set-Cookie', v]);
  for (const v of q.getAll('cc')) headers.push(['Cache-Control', v]);
  for (const v of q.getAll('h')) {
    const i = v.indexOf(':');
    headers.push([v.slice(0, i), v.slice(i + 1)]);
  }
  headers.push(['Content-Type', 'application/json']);
  return { status: Number(q.get('status') ?? 200), headers };
}

function only(lines: HeaderLines, ...names: string[]): Lines {
  return lines.filter(([n]) => names.includes(n.toLowerCase())).map(([n, v]) => [n.toLowerCase(), v]);
}

const backends: http.Server[] = [];
const servers: Server[] = [];
let haproxy: RunningHaproxy | undefined;

function serversFor(listen: Listen): Server[] {
  return listen.s2WithoutCookie ? [servers[0]!, { ...servers[1]!, cookie: undefined }] : servers;
}

beforeAll(async () => {
  for (const name of ['s1', 's2']) {
    const srv = http.createServer((req, res) => {
      const { status, headers } = backendResponse(req.url ?? '/');
      const body = JSON.stringify({ server: name, raw: req.rawHeaders });
      res.writeHead(status, [...headers.flat(), 'Content-Length', String(Buffer.byteLength(body))]);
      res.end(body);
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    backends.push(srv);
    const { port } = srv.address() as net.AddressInfo;
    servers.push({
      name, host: '127.0.0.1', port, weight: 1, cookie: name, backup: false, disabled: false,
      source: { file: 'test', line: 0 },
    });
  }

  let cfg = 'defaults\n  mode http\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n';
  for (const [name, listen] of Object.entries(LISTENS) as [ListenName, Listen][]) {
    listen.port = await freePort();
    cfg += `listen ${name}\n  bind 127.0.0.1:${listen.port}\n  balance roundrobin\n  ${listen.directive}\n`;
    for (const s of serversFor(listen)) {
      cfg += `  server ${s.name} ${s.host}:${s.port}${s.cookie ? ` cookie ${s.cookie}` : ''}\n`;
    }
  }
  haproxy = await startHaproxy(cfg, Object.values(LISTENS).map((l) => l.port));
}, 10_000);

afterAll(async () => {
  await haproxy?.close();
  await Promise.all(backends.map((b) => new Promise((r) => { b.closeAllConnections(); b.close(r); })));
});

interface Exchange {
  /** Which server answered. */
  server: string;
  /** Client-visible `set-cookie` and `cache-control` lines from haproxy. */
  client: Lines;
  /** Cookie lines the backend received through haproxy. */
  backendCookies: Lines;
}

/**
 * Sends one request through haproxy and checks our functions against it;
 * returns what haproxy did for further, explicit assertions.
 */
async function exchange(
  which: ListenName,
  opts: { query?: string; cookies?: string[]; method?: string } = {},
): Promise<Exchange> {
  const listen: Listen = LISTENS[which];
  const method = opts.method ?? 'GET';
  const path = `/?${opts.query ?? ''}`;
  const request: Lines = [['Host', 'lb.test'], ...(opts.cookies ?? []).map((c): [string, string] => ['Cookie', c])];
  const t0 = Date.now();
  const res = await send(listen.port, path, { method, headers: request });
  const t1 = Date.now();
  const body = JSON.parse(res.body) as { server: string; raw: string[] };
  const got: Exchange = {
    server: body.server,
    client: only(res.headers, 'set-cookie', 'cache-control'),
    backendCookies: only(pairs(body.raw), 'cookie'),
  };

  const list = serversFor(listen);
  const answered = list.findIndex((s) => s.name === body.server);
  const upstream = backendResponse(path);
  // Date stamps have a 4 s resolution: model both ends of the round trip.
  const models = [t0, t1].map((now) => {
    const req = readPersistenceCookie(listen.policy, list, request, now);
    const out = applyResponseCookie(
      listen.policy,
      { method, servers: list, serverIndex: answered, clientCookieValid: req.serverIndex === answered, request: req, now },
      upstream.status,
      upstream.headers,
    );
    return {
      routed: req.serverIndex === undefined ? undefined : list[req.serverIndex]!.name,
      view: {
        client: only(out, 'set-cookie', 'cache-control'),
        backendCookies: only(req.headers, 'cookie'),
      },
    };
  });
  // All servers are up, so a cookie we honour must be honoured by haproxy too.
  if (models[0]!.routed !== undefined) expect(body.server).toBe(models[0]!.routed);
  const actual = { client: got.client, backendCookies: got.backendCookies };
  if (JSON.stringify(models[0]!.view) === JSON.stringify(models[1]!.view)) expect(actual).toEqual(models[0]!.view);
  else expect(models.map((m) => m.view)).toContainEqual(actual);
  return got;
}

describe('insert indirect nocache (SERVERNAME)', () => {
  it('first visit: SERVERNAME=sN; path=/ and nothing else', async () => {
    const r = await exchange('ins');
    expect(r.client).toEqual([['set-cookie', `SERVERNAME=${r.server}; path=/`]]);
  });

  it('valid cookie: routed to s1, no Set-Cookie, backend sees no Cookie line', async () => {
    const r = await exchange('ins', { cookies: ['SERVERNAME=s1'] });
    expect(r.server).toBe('s1');
    expect(r.client).toEqual([]);
    expect(r.backendCookies).toEqual([]);
  });

  it('unknown value: balanced normally and a fresh cookie', async () => {
    const r = await exchange('ins', { cookies: ['SERVERNAME=s9'] });
    expect(r.client).toEqual([['set-cookie', `SERVERNAME=${r.server}; path=/`]]);
  });

  it('mixed cookies: ours removed, others kept in order', async () => {
    const r = await exchange('ins', { cookies: ['a=1; SERVERNAME=s2; b=2'] });
    expect(r.server).toBe('s2');
    expect(r.backendCookies).toEqual([['cookie', 'a=1; b=2']]);
  });

  it('odd spacing, comma delimiters, $ attributes, bare names', async () => {
    await exchange('ins', { cookies: ['a = 1 ; SERVERNAME = s1 ;b=2 ; $Path=/; c'] });
    await exchange('ins', { cookies: ['a=1;SERVERNAME=s2,b=2'] });
    await exchange('ins', { cookies: ['SERVERNAME=s1;a=1'] });
    await exchange('ins', { cookies: ['a=1; SERVERNAME=s1'] });
    await exchange('ins', { cookies: ['SERVERNAME=s1; $Path=/'] });
    await exchange('ins', { cookies: ['SERVERNAME=s9; SERVERNAME=s2; x="q;uo,ted"'] });
    await exchange('ins', { cookies: ['e= ; f =2;SERVERNAME=s1 , g'] });
    await exchange('ins', { cookies: ['e= ; f=1'] });
  });

  it('several Cookie lines', async () => {
    const r = await exchange('ins', { cookies: ['x=1', 'SERVERNAME=s2', 'y=2; SERVERNAME=s2'] });
    expect(r.backendCookies).toEqual([['cookie', 'x=1'], ['cookie', 'y=2']]);
  });

  it('cacheable response gets a separate Cache-Control: private after the cookie', async () => {
    const r = await exchange('ins', { query: 'cc=public,%20max-age=60' });
    expect(r.client).toEqual([
      ['cache-control', 'public, max-age=60'],
      ['set-cookie', `SERVERNAME=${r.server}; path=/`],
      ['cache-control', 'private'],
    ]);
  });

  it('non-cacheable responses get no Cache-Control', async () => {
    const plain = await exchange('ins');
    expect(plain.client.filter(([n]) => n === 'cache-control')).toEqual([]);
    await exchange('ins', { query: 'cc=no-cache' });
    await exchange('ins', { query: 'cc=public' }); // no freshness, no validator
  });

  it('HAProxy cacheability rules', async () => {
    await exchange('ins', { query: 'cc=max-age=60' });
    await exchange('ins', { query: 'cc=max-age=60', method: 'POST' });
    await exchange('ins', { query: 'cc=public,%20max-age=60', method: 'POST' });
    await exchange('ins', { query: 'cc=max-age=60&status=302' });
    await exchange('ins', { query: 'cc=public&cc=max-age=60&status=302' });
    await exchange('ins', { query: 'cc=max-age=0,%20s-maxage=60' });
    await exchange('ins', { query: 'cc=max-age=60&h=Pragma:no-cache' });
    await exchange('ins', { query: 'h=ETag:%22v1%22' });
    await exchange('ins', { query: 'h=Last-Modified:Mon,%2001%20Jan%202024%2000:00:00%20GMT&status=404' });
    await exchange('ins', { query: 'h=Expires:0&status=201' });
    await exchange('ins', { query: 'cc=max-age=60,%20private' });
    await exchange('ins', { query: 'cc=private,%20max-age=60,%20public' });
  });

  it('a Set-Cookie for our name from the server is removed, others stay', async () => {
    const direct = await exchange('ins', { cookies: ['SERVERNAME=s1'], query: 'sc=SERVERNAME=app&sc=x=1' });
    expect(direct.client).toEqual([['set-cookie', 'x=1']]);
    await exchange('ins', { query: 'sc=SERVERNAME=app;%20Path=/x&sc=x=1' });
    await exchange('ins', { query: 'sc=x%20=%201;%20Path=/' });
  });
});

describe('prefix indirect nocache (JSESSIONID)', () => {
  it('prefixes the application cookie, attributes untouched', async () => {
    const r = await exchange('pfx', { query: 'sc=JSESSIONID=abc1;%20Path=/;%20HttpOnly' });
    expect(r.client).toEqual([['set-cookie', `JSESSIONID=${r.server}~abc1; Path=/; HttpOnly`]]);
  });

  it('two Set-Cookie lines: only ours is prefixed', async () => {
    const r = await exchange('pfx', { query: 'sc=JSESSIONID=plain5&sc=theme=dark' });
    expect(r.client).toEqual([['set-cookie', `JSESSIONID=${r.server}~plain5`], ['set-cookie', 'theme=dark']]);
  });

  it('valid prefixed cookie: routed, stripped, and the server\'s new cookie removed (indirect)', async () => {
    const r = await exchange('pfx', { cookies: ['a=1; JSESSIONID=s1~xyz; b=2'], query: 'sc=JSESSIONID=new&sc=theme=dark' });
    expect(r.server).toBe('s1');
    expect(r.backendCookies).toEqual([['cookie', 'a=1; JSESSIONID=xyz; b=2']]);
    expect(r.client).toEqual([['set-cookie', 'theme=dark']]);
  });

  it('value without ~ passes unchanged; unknown server prefix is stripped anyway', async () => {
    const plain = await exchange('pfx', { cookies: ['JSESSIONID=abc'] });
    expect(plain.backendCookies).toEqual([['cookie', 'JSESSIONID=abc']]);
    const unknown = await exchange('pfx', { cookies: ['JSESSIONID=s9~abc'], query: 'sc=JSESSIONID=n' });
    expect(unknown.backendCookies).toEqual([['cookie', 'JSESSIONID=abc']]);
    await exchange('pfx', { cookies: ['JSESSIONID=~abc'] });
    await exchange('pfx', { cookies: ['JSESSIONID=s2'] }); // a bare server name routes
    await exchange('pfx', { cookies: ['JSESSIONID=s2~a~b; JSESSIONID=s1~c'] });
  });

  it('nocache never adds Cache-Control in prefix mode, even when cacheable', async () => {
    const r = await exchange('pfx', { query: 'sc=JSESSIONID=q&cc=public,%20max-age=60' });
    expect(r.client).toEqual([['set-cookie', `JSESSIONID=${r.server}~q`], ['cache-control', 'public, max-age=60']]);
  });

  it('without indirect, a server without cookie value leaves the cookie alone', async () => {
    await exchange('pfxplain', { query: 'sc=JSESSIONID=a' });
    await exchange('pfxplain', { query: 'sc=JSESSIONID=a' });
    await exchange('pfxplain', { cookies: ['JSESSIONID=s1~k'], query: 'sc=JSESSIONID=a' });
  });
});

describe('insert with httponly secure domain attr', () => {
  it('attribute order', async () => {
    const r = await exchange('attrs');
    expect(r.client).toEqual([['set-cookie', `SERVERNAME=${r.server}; path=/; domain=.example.com; HttpOnly; Secure; SameSite=Lax`]]);
    const again = await exchange('attrs', { cookies: [`SERVERNAME=${r.server}`] });
    expect(again.client).toEqual([]);
  });
});

describe('maxidle 30m maxlife 8h', () => {
  it('first visit: two stamps that decode to now', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const r = await exchange('dates');
    const m = /^SRV=s[12]\|([A-Za-z0-9+/]{5})\|([A-Za-z0-9+/]{5}); path=\/$/.exec(r.client[0]![1]);
    expect(m).not.toBeNull();
    const last = decodeS30(m![1]!) * 4;
    expect(last).toBeGreaterThanOrEqual(t0);
    expect(last).toBeLessThanOrEqual(t0 + 8);
    expect(m![2]).toBe(m![1]);
  });

  it('cookie dates: fresh, idle, old, future, missing, invalid', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stamp = (s: number): string => encodeS30(Math.floor(s / 4));
    const fresh = await exchange('dates', { cookies: [`SRV=s1|${stamp(now + 8)}|${stamp(now - 60)}`] });
    expect(fresh.client).toEqual([]);
    await exchange('dates', { cookies: [`SRV=s2|${stamp(now - 3600)}|${stamp(now - 3600)}`] });
    await exchange('dates', { cookies: [`SRV=s2|${stamp(now - 60)}|${stamp(now - 9 * 3600)}`] });
    await exchange('dates', { cookies: [`SRV=s2|${stamp(now + 2 * 86400)}|${stamp(now)}`] });
    await exchange('dates', { cookies: ['SRV=s1'] });
    await exchange('dates', { cookies: ['SRV=s1|AAAAA|AAAAA'] });
    await exchange('dates', { cookies: [`a=1; SRV=s2|${stamp(now - 60)}; b=2`] });
    await exchange('dates', { cookies: [`SRV=s1|${stamp(now - 60)}|${stamp(now - 600)}`], query: 'cc=max-age=60' });
  });
});

describe('preserve, rewrite, postonly', () => {
  it('preserve: the server\'s own cookie wins and nothing is added', async () => {
    const r = await exchange('psv', { query: 'sc=SRV=app' });
    expect(r.client).toEqual([['set-cookie', 'SRV=app']]);
    await exchange('psv', { cookies: ['SRV=s2'], query: 'sc=SRV=app' });
    await exchange('psv');
  });

  it('rewrite: the server\'s value becomes the server cookie', async () => {
    const r = await exchange('rw', { cookies: ['SRV=s2'], query: 'sc=SRV=app;%20Path=/' });
    expect(r.client).toEqual([['set-cookie', 'SRV=s2; Path=/']]);
    expect(r.backendCookies).toEqual([['cookie', 'SRV=s2']]);
    await exchange('rw', { cookies: ['SRV=s9'], query: 'sc=SRV=app' });
    await exchange('rw');
  });

  it('postonly, two domains, two attrs, cookie-less server', async () => {
    await exchange('post');
    await exchange('post', { method: 'POST' });
    await exchange('post', { method: 'POST' });
    await exchange('post', { method: 'POST', cookies: ['SRV=s1'] });
  });
});
