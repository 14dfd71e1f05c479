import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CookiePolicy, Server } from '../../src/config/types.ts';
import { parseCookieHeader, serializeCookieHeader } from '../../src/persistence/cookie-syntax.ts';
import { readPersistenceCookie } from '../../src/persistence/request-cookie.ts';
import { applyResponseCookie } from '../../src/persistence/response-cookie.ts';
import { NOW, policy, server } from './fixtures.ts';

const SERVERS: readonly Server[] = [server('s1'), server('s2'), server('bk', null), server('s1b', 's1')];
const BREAK = /[\r\n\0]/;

const policyArb: fc.Arbitrary<CookiePolicy> = fc.record({
  name: fc.constantFrom('SERVERNAME', 'JSESSIONID', 'a'),
  mode: fc.constantFrom('insert', 'prefix', 'rewrite'),
  indirect: fc.boolean(),
  nocache: fc.boolean(),
  postonly: fc.boolean(),
  preserve: fc.boolean(),
  httponly: fc.boolean(),
  secure: fc.boolean(),
  domains: fc.array(fc.constantFrom('.example.com', '.b.example'), { maxLength: 2 }),
  maxidle: fc.option(fc.constantFrom(1000, 60_000, 1_800_000), { nil: undefined }),
  maxlife: fc.option(fc.constantFrom(1000, 28_800_000), { nil: undefined }),
  attrs: fc.array(fc.constantFrom('SameSite=Lax', 'Partitioned'), { maxLength: 2 }),
});

/** Values built from the characters that matter to the parsers, plus anything at all. */
const valueArb = fc.oneof(
  fc.array(
    fc.constantFrom('SERVERNAME', 'JSESSIONID', 'a', '=', ';', ',', ' ', '\t', '~', '|', '"', '\\', '$', 's1', 's2', 's9',
      'AAAAA', 'awV0r', '\r', '\n', '\0', 'x'),
    { maxLength: 14 },
  ).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const nameArb = fc.constantFrom('Cookie', 'cookie', 'COOKIE', 'Set-Cookie', 'set-cookie', 'Cache-Control', 'Pragma',
  'Expires', 'ETag', 'X-Other');

const linesArb = fc.array(fc.tuple(nameArb, valueArb), { maxLength: 6 });

const isCookie = ([n]: readonly [string, string]): boolean => n.toLowerCase() === 'cookie';
const isSetCookie = ([n]: readonly [string, string]): boolean => n.toLowerCase() === 'set-cookie';

describe('readPersistenceCookie on any input', () => {
  it('never throws, keeps other lines, lets no CR/LF/NUL through Cookie lines', () => {
    fc.assert(fc.property(policyArb, linesArb, fc.integer({ min: 0, max: 4e12 }), (p, lines, now) => {
      const r = readPersistenceCookie(p, SERVERS, lines, now);
      expect(r.headers.filter((l) => !isCookie(l))).toEqual(lines.filter((l) => !isCookie(l)));
      for (const [, v] of r.headers.filter(isCookie)) expect(v).not.toMatch(BREAK);
      expect(r.status === 'valid').toBe(r.serverIndex !== undefined);
      if (r.serverIndex !== undefined) expect(SERVERS[r.serverIndex]!.cookie).toBeDefined();
    }), { numRuns: 2000 });
  });
});

describe('applyResponseCookie on any input', () => {
  it('never throws, only adds cookie lines, lets no CR/LF/NUL through Set-Cookie lines', () => {
    fc.assert(fc.property(
      policyArb, linesArb, linesArb, fc.integer({ min: 0, max: SERVERS.length - 1 }), fc.constantFrom('GET', 'POST', 'HEAD'),
      fc.constantFrom(100, 101, 200, 204, 302, 404, 500), fc.integer({ min: 0, max: 4e12 }),
      (p, requestLines, responseLines, answered, method, status, now) => {
        const req = readPersistenceCookie(p, SERVERS, requestLines, now);
        const out = applyResponseCookie(
          p,
          { method, servers: SERVERS, serverIndex: answered, clientCookieValid: req.serverIndex === answered, request: req, now },
          status,
          responseLines,
        );
        const kept = responseLines.filter((l) => !isSetCookie(l));
        expect(out.filter((l) => !isSetCookie(l) && l[0] !== 'cache-control')).toEqual(kept);
        for (const [n, v] of out) {
          if (isSetCookie([n, v]) || n === 'cache-control') expect(v).not.toMatch(BREAK);
        }
      },
    ), { numRuns: 2000 });
  });
});

describe('stripping our cookie leaves the others alone', () => {
  const tokenArb = fc.stringMatching(/^[A-Za-z0-9!#%&'*+.^_`|~-]{1,8}$/);
  const octetsArb = fc.stringMatching(/^[A-Za-z0-9!#%&'()*+./:<=>?@[\]^_`{|}~-]{0,8}$/);
  const sepArb = fc.constantFrom('; ', ';', ' ; ', ', ', ',', ';  ');
  const ourValueArb = fc.constantFrom('s1', 's2', 's9', '', 's1~abc', 'x~', '~y', 's2|AAAAA');

  const cookieLineArb = (ours: string) => fc.record({
    others: fc.array(fc.record({ name: tokenArb.filter((n) => n !== ours), value: octetsArb }), { maxLength: 5 }),
    mine: fc.array(fc.tuple(fc.nat(), ourValueArb), { maxLength: 3 }),
    seps: fc.array(sepArb, { minLength: 8, maxLength: 8 }),
  }).map(({ others, mine, seps }) => {
    const items = others.map((o) => ({ ...o, ours: false }));
    for (const [at, value] of mine) items.splice(at % (items.length + 1), 0, { name: ours, value, ours: true });
    const line = items.map((c, i) => `${i ? seps[i % seps.length] : ''}${c.name}=${c.value}`).join('');
    return { line, items };
  });

  it('insert indirect: the others, in order, with their values', () => {
    const p = policy({ indirect: true });
    fc.assert(fc.property(cookieLineArb(p.name), ({ line, items }) => {
      const r = readPersistenceCookie(p, SERVERS, [['Cookie', line]], NOW);
      const after = r.headers.filter(isCookie).flatMap(([, v]) => parseCookieHeader(v));
      expect(after).toEqual(items.filter((c) => !c.ours).map(({ name, value }) => ({ name, value })));
    }), { numRuns: 1000 });
  });

  it('prefix: ours loses everything up to the first ~, the others are untouched', () => {
    const p = policy({ name: 'JSESSIONID', mode: 'prefix', indirect: true });
    fc.assert(fc.property(cookieLineArb(p.name), ({ line, items }) => {
      const r = readPersistenceCookie(p, SERVERS, [['Cookie', line]], NOW);
      const after = r.headers.filter(isCookie).flatMap(([, v]) => parseCookieHeader(v));
      const expected = items.map(({ name, value, ours }) =>
        ({ name, value: ours && value.includes('~') ? value.slice(value.indexOf('~') + 1) : value }));
      expect(after).toEqual(expected);
    }), { numRuns: 1000 });
  });

  it('serialize then parse is the identity for well-formed pairs', () => {
    fc.assert(fc.property(fc.array(fc.record({ name: tokenArb, value: octetsArb })), (pairs) => {
      expect(parseCookieHeader(serializeCookieHeader(pairs))).toEqual(pairs);
    }));
  });
});
