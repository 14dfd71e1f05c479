/**
 * HTTPS servers on haproxy 2.6 and on edge-balancer (Node), same config, same
 * HTTPS backends (certificates made by the test): verification against the
 * right CA forwards and checks (L6OK, L7OK with httpchk); the wrong CA and a
 * plain HTTP server behind `ssl` fail the check with L6RSP "SSL handshake
 * failure" and the server is DOWN (503); an unchecked server with the wrong
 * CA is retried before the 503; a certificate that does not name the SNI is
 * not retried.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePorts } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeCertificates, startHttpsBackend, type HttpsBackend, type TestCertificates } from './tls-fixtures.ts';

let certs: TestCertificates;
let tlsBackend: HttpsBackend;
let plainBackend: Server;
beforeAll(async () => {
  certs = makeCertificates();
  tlsBackend = await startHttpsBackend('tls', certs);
  plainBackend = createServer((_req, res) => res.end('plain'));
  plainBackend.listen(0, '127.0.0.1');
  await once(plainBackend, 'listening');
});
afterAll(async () => {
  await tlsBackend.close();
  plainBackend.closeAllConnections();
  await new Promise((resolve) => plainBackend.close(resolve));
  certs.remove();
});

const SECTIONS = ['good', 'goodhttp', 'wrongca', 'wrongcahttp', 'plain', 'unchecked', 'sni'] as const;

function configText(ports: Record<string, number>): string {
  const tls = tlsBackend.port;
  const plain = (plainBackend.address() as AddressInfo).port;
  const ca = certs.path('ca.pem');
  const other = certs.path('other-ca.pem');
  const listen = (name: string, lines: string[]) => `listen ${name}\n    bind 127.0.0.1:${ports[name]}\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
  return [
    'defaults\n    mode http\n    timeout connect 500ms\n    timeout client 5s\n    timeout server 5s\n',
    // Good servers get time to spare on a loaded machine: a failed first check is DOWN at once.
    listen('good', [`server s1 127.0.0.1:${tls} ssl verify required ca-file ${ca} check inter 2s`]),
    listen('goodhttp', ['option httpchk GET /health', `server s1 127.0.0.1:${tls} ssl verify required ca-file ${ca} check inter 2s`]),
    listen('wrongca', [`server s1 127.0.0.1:${tls} ssl verify required ca-file ${other} check inter 300ms`]),
    listen('wrongcahttp', ['option httpchk GET /health', `server s1 127.0.0.1:${tls} ssl verify required ca-file ${other} check inter 300ms`]),
    listen('plain', [`server s1 127.0.0.1:${plain} ssl verify none check inter 300ms`]),
    listen('unchecked', [`server s1 127.0.0.1:${tls} ssl verify required ca-file ${other}`]),
    listen('sni', [`server s1 127.0.0.1:${tls} ssl verify required ca-file ${ca} sni req.hdr(host)`]),
    listen('stats', ['stats enable', 'stats uri /']),
  ].join('');
}

interface Observed {
  readonly downReasons: Record<string, string>;
  readonly responses: Record<string, { status: number; body: string }>;
  readonly uncheckedRetried: boolean;
  readonly sniImmediate: boolean;
  readonly stats: Record<string, Record<string, string>>;
}

async function observe(kind: 'haproxy' | 'edge-balancer'): Promise<Observed> {
  const list = await freePorts(SECTIONS.length + 1);
  const ports: Record<string, number> = { stats: list[SECTIONS.length]! };
  SECTIONS.forEach((name, i) => (ports[name] = list[i]!));
  const text = configText(ports);
  let output: () => string;
  let close: () => Promise<void>;
  if (kind === 'haproxy') {
    const haproxy = await startHaproxy(text, Object.values(ports));
    output = haproxy.output;
    close = haproxy.close;
  } else {
    const edge = await startEdge(text);
    output = () => edge.messages.join('\n');
    close = () => edge.close(0);
  }
  try {
    const down = (name: string) => new RegExp(`Server ${name}/s1 is DOWN, reason: ([^,]+), info: "([^"]*)"`).exec(output());
    await waitFor(() => ['wrongca', 'wrongcahttp', 'plain'].every((name) => down(name)), `${kind}: the failing servers DOWN`);
    // Both up-checks have run once the good servers report a check status.
    const csv = async () => (await send(ports.stats!, '/;csv')).body.split('\n');
    let rows: string[] = [];
    for (let i = 0; i < 100; i++) {
      rows = await csv();
      if (rows.some((r) => r.startsWith('good,s1,') && r.includes('L6OK')) && rows.some((r) => r.startsWith('goodhttp,s1,') && r.includes('L7OK'))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const header = rows[0]!.replace(/^# /, '').split(',');
    const stats: Record<string, Record<string, string>> = {};
    for (const row of rows.slice(1)) {
      const fields = row.split(',');
      if (fields[1] !== 's1') continue;
      const pick = (name: string) => fields[header.indexOf(name)] ?? '';
      stats[fields[0]!] = { status: pick('status'), check_status: pick('check_status'), check_code: pick('check_code'), last_chk: pick('last_chk') };
    }
    const responses: Observed['responses'] = {};
    for (const name of ['good', 'goodhttp', 'wrongca', 'plain']) {
      const response = await send(ports[name]!, '/x');
      responses[name] = { status: response.status, body: response.status === 200 ? JSON.parse(response.body).server : response.body };
    }
    let started = Date.now();
    const unchecked = await send(ports['unchecked']!, '/x');
    responses['unchecked'] = { status: unchecked.status, body: unchecked.body };
    // 3 retries with a 500 ms turn-around each (min(1 s, timeout connect)).
    const uncheckedRetried = Date.now() - started >= 1400;
    started = Date.now();
    const sni = await send(ports['sni']!, '/x', { headers: [['Host', 'other.test']] });
    responses['sni'] = { status: sni.status, body: sni.body };
    // No turn-around at all: well under one 500 ms pause, even on a loaded machine.
    const sniImmediate = Date.now() - started < 1000;
    const downReasons: Record<string, string> = {};
    for (const name of ['wrongca', 'wrongcahttp', 'plain']) {
      const match = down(name)!;
      downReasons[name] = `${match[1]} / ${match[2]}`;
    }
    return { downReasons, responses, uncheckedRetried, sniImmediate, stats };
  } finally {
    await close();
  }
}

describe('HTTPS servers: haproxy vs edge-balancer', () => {
  it('verification, check status and error pages match', async () => {
    const haproxy = await observe('haproxy');
    const edge = await observe('edge-balancer');
    expect(haproxy.downReasons.wrongca).toBe('Layer6 invalid response / SSL handshake failure');
    expect(haproxy.stats.wrongca).toEqual({ status: 'DOWN', check_status: 'L6RSP', check_code: '', last_chk: 'SSL handshake failure' });
    expect(haproxy.stats.good).toMatchObject({ status: 'UP', check_status: 'L6OK' });
    expect(haproxy.responses.good).toEqual({ status: 200, body: 'tls' });
    expect(haproxy.responses.wrongca!.status).toBe(503);
    expect(haproxy.uncheckedRetried).toBe(true);
    expect(haproxy.sniImmediate).toBe(true);
    expect(edge).toEqual(haproxy);
  });
});
