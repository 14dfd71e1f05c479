/**
 * Differential: the same config and the same traffic on the real haproxy
 * 2.6 and on edge-balancer; both `;csv` exports parsed with a CSV parser and
 * compared per server on status, weight, act, bck and stot (and the header).
 */
import { describe, expect, test } from 'vitest';
import { runOn, type ProxyUnderTest } from '../differential/harness.ts';
import { send } from '../helpers/http-client.ts';
import { parseStatsCsv } from './csv.ts';

// s3 points at a closed port: DOWN after two failed checks on both proxies.
const CONFIG = `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s

listen app
  bind 127.0.0.1:\${PORT}
  balance roundrobin
  stats enable
  stats uri /haproxy?stats
  stats realm Strictly\\ Private
  stats auth A_Username:YourPassword
  server s1 127.0.0.1:\${S1} check inter 200 rise 2 fall 2
  server s2 127.0.0.1:\${S2} weight 3 check inter 200 rise 2 fall 2
  server s3 127.0.0.1:1 check inter 200 rise 2 fall 2
  server s4 127.0.0.1:\${S3} backup
`;

const AUTH: [string, string] = ['Authorization', 'Basic ' + Buffer.from('A_Username:YourPassword').toString('base64')];

async function csv(proxy: ProxyUnderTest) {
  const response = await send(proxy.port, '/haproxy?stats;csv', { headers: [['Host', `127.0.0.1:${proxy.port}`], AUTH] });
  expect(response.status).toBe(200);
  expect(response.get('content-type')).toBe('text/plain');
  return { text: response.body, records: parseStatsCsv(response.body) };
}

async function scenario(proxy: ProxyUnderTest) {
  // Let s3 fail its checks (2 × 200 ms, plus haproxy's spread start).
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const status = (await csv(proxy)).records.get('app/s3')?.status;
    if (status === 'DOWN') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 12; i++) await send(proxy.port, `/page/${i}`, { headers: [['Host', `127.0.0.1:${proxy.port}`]] });
  await Promise.all(
    Array.from({ length: 4 }, (_, i) => send(proxy.port, `/concurrent/${i}?delay=100`, { headers: [['Host', `127.0.0.1:${proxy.port}`]] })),
  );
  const { text, records } = await csv(proxy);
  const servers = ['s1', 's2', 's3', 's4'].map((name) => {
    const r = records.get(`app/${name}`)!;
    return { name, status: r.status, weight: r.weight, act: r.act, bck: r.bck, stot: r.stot };
  });
  const backend = records.get('app/BACKEND')!;
  return {
    header: text.split('\n')[0],
    rows: [...records.keys()],
    servers,
    backend: { status: backend.status, weight: backend.weight, act: backend.act, bck: backend.bck, stot: backend.stot },
  };
}

describe('stats CSV: haproxy vs edge-balancer', () => {
  test('same status / weight / act / bck / stot per server after the same traffic', async () => {
    const haproxy = await runOn('haproxy', CONFIG, ['s1', 's2', 's4'], scenario);
    const edge = await runOn('edge-balancer', CONFIG, ['s1', 's2', 's4'], scenario);
    expect(haproxy.servers.map((s) => s.status)).toEqual(['UP', 'UP', 'DOWN', 'no check']);
    expect(haproxy.servers.reduce((n, s) => n + Number(s.stot), 0)).toBe(16);
    expect(edge.header).toBe(haproxy.header);
    expect(edge.rows).toEqual(haproxy.rows);
    expect(edge.servers).toEqual(haproxy.servers);
    expect(edge.backend).toEqual(haproxy.backend);
  });
});
