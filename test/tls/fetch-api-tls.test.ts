/**
 * Where the platform terminates TLS (Workers, a host app mounting the Hono
 * app): an `https:` request is `ssl_fc`, its host name is `ssl_fc_sni`, and
 * an adapter that knows more (Workers' `request.cf`) passes it as `tls`.
 */
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../src/app.ts';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { createNodeDeps } from '../../adapters/node/node-deps.ts';

const text = `defaults
    mode http
frontend f
    bind :8080
    http-request redirect scheme https code 301 if !{ ssl_fc }
    http-request return status 200 content-type text/plain string shop if { ssl_fc_sni shop.test } { ssl_fc_protocol TLSv1.3 }
    http-request return status 200 content-type text/plain string sni-only if { ssl_fc_sni shop.test }
    http-request return status 200 content-type text/plain string other
`;

describe('ssl_fc on the Fetch API path', () => {
  const { config } = parseHaproxyConfig([{ file: 'r.cfg', text }], { env: {} });
  const app = createBalancer(config, createNodeDeps({ info: () => {}, warn: () => {}, access: () => {} }));

  it('an https: URL is TLS with the host name as SNI; http: is redirected', async () => {
    const plain = await app.request('http://shop.test/a', { headers: { host: 'shop.test' } });
    expect([plain.status, plain.headers.get('location')]).toEqual([301, 'https://shop.test/a']);
    const secure = await app.request('https://shop.test/a', { headers: { host: 'shop.test' } });
    expect(await secure.text()).toBe('sni-only');
    const otherName = await app.request('https://else.test/a', { headers: { host: 'else.test' } });
    expect(await otherName.text()).toBe('other');
  });

  it('the adapter\'s TLS facts (Workers: request.cf) win over the URL', async () => {
    const answer = await app.fetch(new Request('https://shop.test/a', { headers: { host: 'shop.test' } }), { tls: { sni: 'shop.test', protocol: 'TLSv1.3', alpn: 'h2' } });
    expect(await answer.text()).toBe('shop');
  });
});
