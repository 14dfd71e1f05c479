/** How the Worker takes its configuration: a broken one is reported, stats never open without credentials. */
import { describe, expect, it } from 'vitest';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { startWorker } from './start-worker.ts';
import { servedBy } from './responses.ts';

describe('Worker configuration', () => {
  it('answers 500 to a broken configuration and logs the line at fault', async () => {
    const worker = await startWorker('listen a\n    bind :80\n    balance nosuch\n    server s1 127.0.0.1:1\n', {});
    try {
      expect((await send(worker.port, '/')).status).toBe(500);
      await worker.waitForLog(/EDGE_BALANCER_CONFIG:3: 'balance': unknown algorithm 'nosuch'/);
    } finally {
      await worker.close();
    }
  });

  it("env() reads the Worker's string bindings when the rule runs; dst is unknown there", async () => {
    const cfg = [
      'listen a',
      '    bind :80',
      '    http-request return status 200 content-type text/plain lf-string "stage=%[env(STAGE)] secret=%[env(NOPE)] dst=%[dst]"',
      '    server s1 127.0.0.1:1',
      '',
    ].join('\n');
    const worker = await startWorker(cfg, {}, { bindings: { STAGE: 'prod' } });
    try {
      expect((await send(worker.port, '/')).body).toBe('stage=prod secret= dst=');
    } finally {
      await worker.close();
    }
  });

  it('serves a bind … ssl configuration unchanged: the platform terminates TLS, which the log says', async () => {
    const s1 = await startEchoBackend('s1');
    const cfg = `listen a\n    bind :443 ssl crt /etc/haproxy/certs/ alpn h2,http/1.1\n    http-request set-header X-Proto https if { ssl_fc }\n    server s1 127.0.0.1:\${S1}\n`;
    const worker = await startWorker(cfg, { S1: String(s1.port) });
    try {
      const r = await send(worker.port, '/');
      expect(r.status).toBe(200);
      expect(servedBy(r)).toBe('s1');
      await worker.waitForLog(/EDGE_BALANCER_CONFIG:2: 'bind … ssl' on Workers: the platform terminates TLS/);
    } finally {
      await worker.close();
      await s1.close();
    }
  });

  it('switches off a stats section that has no credential, rather than serving it open', async () => {
    const s1 = await startEchoBackend('s1');
    const worker = await startWorker(`listen a\n    bind :80\n    stats uri /stats\n    server s1 127.0.0.1:\${S1}\n`, { S1: String(s1.port) });
    try {
      const r = await send(worker.port, '/stats');
      expect(r.status).toBe(200);
      expect(servedBy(r)).toBe('s1'); // balanced like any request
    } finally {
      await worker.close();
      await s1.close();
    }
  });

  it('serves the stats dashboard, whose JSX the bundle loads on the first view', async () => {
    const s1 = await startEchoBackend('s1');
    const cfg = `listen a\n    bind :80\n    stats uri /stats\n    stats auth admin:pw\n    server s1 127.0.0.1:\${S1}\n`;
    const worker = await startWorker(cfg, { S1: String(s1.port) });
    try {
      const auth: [string, string][] = [['Authorization', `Basic ${btoa('admin:pw')}`]];
      const r = await send(worker.port, '/stats', { headers: auth });
      expect(r.status).toBe(200);
      expect(r.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('<table');
      expect(r.body).toContain('s1');
    } finally {
      await worker.close();
      await s1.close();
    }
  });
});
