/**
 * Server TLS lines through the real `haproxy -c` (2.6) and through the loader,
 * with real certificate files: both accept or both refuse, except where
 * edge-balancer is stricter on purpose (listed with the reason).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors, parseHaproxyConfig } from '../../src/config/index.ts';
import { requireHaproxy } from '../helpers/haproxy.ts';
import { makeCertificates, type TestCertificates } from './tls-fixtures.ts';

let certs: TestCertificates;
beforeAll(() => {
  requireHaproxy();
  certs = makeCertificates();
});
afterAll(() => certs.remove());

type Verdict = 'valid' | 'invalid';

/** `@D@` is the certificates' directory. */
const AGREED: Record<string, { global?: string; verdict: Verdict }> = {
  'server s1 127.0.0.1:8443 ssl': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify required': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify none': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl verify maybe': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verfy none': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl ca-file @D@/ca.pem': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl ca-file @D@/missing.pem': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl ca-file @D@/server.ext': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl ca-file ca.pem': { global: 'ca-base @D@', verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl ': { global: 'ssl-server-verify none', verdict: 'valid' },
  'server s1 127.0.0.1:8443 check-ssl check': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 verify none ca-file @D@/ca.pem': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl verify none crt @D@/client-bundle.pem': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl verify none crt @D@/ca.pem': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify none crt @D@/missing.pem': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify none sni req.hdr(host)': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl verify none sni foo(bar)': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify none sni': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify none ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 ciphers ECDHE-RSA-AES128-GCM-SHA256': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl verify none ssl-min-ver SSLv4': { verdict: 'invalid' },
  'server s1 127.0.0.1:8443 ssl verify none check-sni a.test verifyhost a.test alpn http/1.1 no-tls-tickets': { verdict: 'valid' },
  'default-server ssl verify none': { verdict: 'valid' },
  'server s1 127.0.0.1:8443 ssl verify none ': { global: 'ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets', verdict: 'valid' },
  'server s1 127.0.0.1:8443 no-ssl': { global: 'ssl-server-verify maybe', verdict: 'invalid' },
};

/** Lines edge-balancer refuses on purpose, with why. */
const STRICTER: Record<string, string> = {
  // It writes HTTP/1.1 to servers; a server picking h2 would get HTTP/1.1 bytes.
  'server s1 127.0.0.1:8443 ssl verify none alpn h2': 'edge-balancer speaks HTTP/1.1 to servers',
  // No runtime here offers SSLv3.
  'server s1 127.0.0.1:8443 ssl verify none ssl-min-ver SSLv3': 'SSLv3 is not offered',
};

function text(line: string, global = ''): string {
  const body = `global\n    ${global.replaceAll('@D@', certs.dir)}\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nlisten app\n    bind 127.0.0.1:18999\n    ${line.replaceAll('@D@', certs.dir)}\n`;
  return line.startsWith('default-server') ? `${body}    server s1 127.0.0.1:8443\n` : body;
}

function haproxyVerdict(config: string): Verdict {
  const file = certs.path('haproxy.cfg');
  writeFileSync(file, config);
  return spawnSync('haproxy', ['-c', '-f', file]).status === 0 ? 'valid' : 'invalid';
}

function ourVerdict(config: string): Verdict {
  try {
    parseHaproxyConfig([{ file: 'haproxy.cfg', text: config }], { env: {}, readFile: (path) => readFileSync(path, 'utf8') });
    return 'valid';
  } catch (error) {
    if (error instanceof ConfigErrors) return 'invalid';
    throw error;
  }
}

describe('server TLS lines: haproxy -c vs the loader', () => {
  for (const [line, { global, verdict }] of Object.entries(AGREED)) {
    it(`${verdict}: ${global ? `${global} / ` : ''}${line}`, () => {
      const config = text(line, global);
      expect(haproxyVerdict(config)).toBe(verdict);
      expect(ourVerdict(config)).toBe(verdict);
    });
  }
  for (const [line, why] of Object.entries(STRICTER)) {
    it(`stricter (${why}): ${line}`, () => {
      const config = text(line);
      expect(ourVerdict(config)).toBe('invalid');
      expect(haproxyVerdict(config)).toBe('valid');
    });
  }
});
