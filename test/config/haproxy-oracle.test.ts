/**
 * Runs the real `haproxy -c` (2.6) on the same lines as the loader and checks
 * that both accept or both reject them, except where edge-balancer is
 * deliberately stricter (listed with the reason). Skipped when haproxy is not
 * installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../../src/config/index.ts';
import { listenWith, parse } from './helpers.ts';

const haproxyInstalled = spawnSync('haproxy', ['-v']).status === 0;
const dir = haproxyInstalled ? mkdtempSync(join(tmpdir(), 'edge-balancer-config-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Verdict = 'valid' | 'invalid';

/** The listen section with `line`, plus a backend `other` to route to; `@DIR@` is a directory with `e.http`. */
function configWith(line: string): string {
  return `${listenWith(line.replaceAll('@DIR@', dir))}backend other\n    server o 127.0.0.1:9\n`;
}

function haproxyVerdict(text: string, env: Record<string, string>): Verdict {
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(join(dir, 'e.http'), 'HTTP/1.0 503 Service Unavailable\r\n\r\n');
  writeFileSync(file, text);
  const result = spawnSync('haproxy', ['-c', '-f', file], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/usr/sbin', ...env } });
  return result.status === 0 ? 'valid' : 'invalid';
}

function ourVerdict(text: string, env: Record<string, string>): Verdict {
  try {
    parse(text, { env, readFile: () => 'HTTP/1.0 503 Service Unavailable\r\n\r\n' });
    return 'valid';
  } catch (error) {
    if (error instanceof ConfigErrors) return 'invalid';
    throw error;
  }
}

const ENV = { PORT: '8081', HOST: '127.0.0.1' };

/** Lines on which both agree. */
const AGREED: Record<string, Verdict> = {
  'balance roundrobin': 'valid',
  'balance roundrobn': 'invalid',
  'balance random(2)': 'valid',
  'mode HTTP': 'invalid',
  'bind :0': 'invalid',
  'bind 127.0.0.1': 'invalid',
  'bind :8081,:8082': 'valid',
  'bind [::1]:8083': 'valid',
  'bind :8443 ssl': 'invalid',
  'bind :8443 sll crt /x.pem': 'invalid',
  'bind :8443 ssl crt': 'invalid',
  'bind :${UNSET}': 'invalid',
  'server s2 127.0.0.1:${PORT}': 'valid',
  'server s2 "${HOST}:${PORT}" check inter 1s fastinter 500 downinter 5s rise 1 fall 1': 'valid',
  'server s2 127.0.0.1:2 weight 257': 'invalid',
  'server s2 127.0.0.1:2 rise 0': 'invalid',
  'server s2 127.0.0.1:2 inter 0': 'invalid',
  'server s2 127.0.0.1:2 inter 1.5s': 'invalid',
  'server s2 127.0.0.1:2 chek': 'invalid',
  'server s1 127.0.0.1:2': 'invalid',
  'cookie C insert indirect nocache postonly preserve httponly secure domain .a.com maxidle 30m maxlife 8h attr SameSite=Lax': 'valid',
  'cookie C prefix indirect nocache': 'valid',
  'cookie C prefix postonly maxidle 1s': 'valid',
  'cookie C prefix indirect preserve': 'valid',
  'cookie C prefix preserve': 'invalid',
  'cookie C rewrite indirect': 'invalid',
  'cookie C insert prefix': 'invalid',
  'cookie C insert attr x;y': 'invalid',
  'cookie C insert maxidle 1x': 'invalid',
  'option forwardfor except 127.0.0.0/8 header X-Real-IP if-none': 'valid',
  'option forwardfor except nothost': 'invalid',
  'option forwardfor foo': 'invalid',
  'option httpchk GET /health': 'valid',
  'option httpchk GET /a b c d': 'invalid',
  'http-check expect status 2xx': 'invalid',
  'http-request deny deny_status 299': 'invalid',
  'http-request deny deny_status 418 if TRUE': 'invalid',
  'http-request deny deny_status 422': 'valid',
  'http-request deny deny_status 199': 'invalid',
  'http-request deny status 299': 'valid',
  'http-request deny deny_status 299 content-type text/plain string x': 'valid',
  'http-request tarpit deny_status 299': 'invalid',
  'http-response deny deny_status 299': 'invalid',
  'http-request return status 299': 'valid',
  'http-request return status 600': 'invalid',
  'http-request return status 404 default-errorfiles': 'valid',
  'http-request return status 299 default-errorfiles': 'invalid',
  'errorfile 422 @DIR@/e.http': 'valid',
  'option httpchk\n    http-check expect status 200-299': 'valid',
  'option httpchk\n    http-check expect status 200,302-304': 'valid',
  'option httpchk\n    http-check expect status 300-200': 'invalid',
  'option httpchk\n    http-check expect ! status 500': 'valid',
  'option httpchk\n    http-check expect !rstatus ^5': 'valid',
  'option httpchk\n    http-check expect rstatus (': 'invalid',
  'option httpchk\n    http-check expect string OK': 'valid',
  'option httpchk\n    http-check expect rstring ^ok$': 'valid',
  'option httpchk\n    http-check expect status 200 string OK': 'invalid',
  'option httpchk\n    http-check expect hdr name x-ready value -m beg y': 'valid',
  'option httpchk\n    http-check expect fhdr name -m reg ^x- value -m sub a,b': 'valid',
  'option httpchk\n    http-check expect hdr name': 'invalid',
  'option httpchk\n    http-check expect foo': 'invalid',
  'option httpchk\n    http-check disable-on-404': 'valid',
  'option httpchk\n    http-check disable-on-404 x': 'invalid',
  'no option httpclose': 'valid',
  'option abortonclose': 'valid',
  'no option abortonclose': 'valid',
  'option http-no-delay': 'valid',
  'option abortonclose x': 'invalid',
  'option nosuch': 'invalid',
  'timeout connect 1S': 'invalid',
  'timeout connect 25d': 'invalid',
  'timeout connect 24d': 'valid',
  'timeout server 1s 2s': 'invalid',
  'timeout foo 1s': 'invalid',
  'timeout queue 1s': 'valid',
  'stats realm Strictly\\ Private': 'valid',
  'stats realm "two words"': 'valid',
  'stats uri': 'invalid',
  'stats admin if TRUE': 'valid',
  'stats admin': 'invalid',
  'stats foo': 'invalid',
  'errorfile 503 @DIR@/e.http': 'valid',
  'errorfile 302 @DIR@/e.http': 'invalid',
  'acl a! path_beg /x': 'invalid',
  'acl a path_beg /x\n    use_backend other if a !a or a': 'valid',
  'use_backend other if { path_beg /x /y } || { hdr(Host) -i A.com }': 'valid',
  'use_backend other if ! { path_beg /x } or or { path_beg /y } ||': 'valid',
  'use_backend other if {path_beg /x}': 'invalid',
  'use_backend other if { path_beg /x': 'invalid',
  'use_backend other if missing': 'invalid',
  'use_backend other if TRUE x': 'invalid',
  'use_backend app when x': 'invalid',
  'use_backend nope': 'invalid',
  'use_backend app': 'invalid',
  'default_backend app': 'invalid',
  'use_backend other': 'valid',
  'mode "unterminated': 'invalid',
  'mode "${A:-x}"': 'invalid',
  'mode a\\xZZ': 'invalid',
};

/** Lines HAProxy accepts and edge-balancer rejects on purpose. */
const STRICTER: Record<string, string> = {
  'bind :8080x': 'HAProxy reads the port with atoi and ignores the junk',
  'server s2 127.0.0.1': 'a server without a port reuses the client port',
  'server s2 127.0.0.1:2 weight x': 'HAProxy reads weight x as 0',
  'retries x': 'HAProxy reads retries x as 0',
  'balance': 'HAProxy keeps the default algorithm',
  'cookie C': 'passive cookie (set by the application) is not supported',
  'stats auth admin': 'a user without a password can never log in',
  'use_backend other if': 'HAProxy accepts an empty condition that never matches',
  'option redispatch 1': 'redispatch intervals are not supported',
  'balance source': 'not implemented by edge-balancer',
  'mode tcp': 'edge-balancer is an HTTP load balancer',
};

describe.skipIf(!haproxyInstalled)('agreement with haproxy -c (2.6)', () => {
  for (const [line, verdict] of Object.entries(AGREED)) {
    it(`${verdict}: ${line}`, () => {
      const text = configWith(line);
      expect(haproxyVerdict(text, ENV)).toBe(verdict);
      expect(ourVerdict(text, ENV)).toBe(verdict);
    });
  }
  for (const [line, reason] of Object.entries(STRICTER)) {
    it(`stricter than HAProxy (${reason}): ${line}`, () => {
      const text = configWith(line);
      expect(haproxyVerdict(text, ENV)).toBe('valid');
      expect(ourVerdict(text, ENV)).toBe('invalid');
    });
  }
});
