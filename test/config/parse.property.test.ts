/**
 * Hostile configuration text: whatever the input, the parser returns a
 * configuration or throws ConfigErrors whose every entry names the file and
 * a line of it — never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigErrors, parseHaproxyConfig } from '../../src/config/index.ts';

const WORDS = [
  'global', 'defaults', 'listen', 'frontend', 'backend', 'bind', 'server', 'balance', 'roundrobin', 'cookie',
  'insert', 'prefix', 'indirect', 'nocache', 'option', 'redispatch', 'httpchk', 'forwardfor', 'stats', 'auth',
  'uri', 'realm', 'timeout', 'connect', 'use_backend', 'default_backend', 'if', 'unless', '{', '}', 'path_beg',
  'hdr(host)', '-i', 'check', 'inter', 'rise', 'fall', 'weight', 'backup', '127.0.0.1:8080', ':80', '${X}',
  '"a b"', "'c'", '\\ ', '#', 'errorfile', '503', 'retries', '3', '2s', 'acl', 'app', 's1',
];

/** Lines that look like a configuration: known words, odd characters and plain noise. */
const configText = fc
  .array(
    fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 }), fc.constantFrom('\t', '\\', '"', "'", '\u0000', '\u00ff')), {
      maxLength: 8,
    }),
    { maxLength: 12 },
  )
  .map((lines) => lines.map((words, i) => (i > 0 && words.length ? '    ' : '') + words.join(' ')).join('\n'));

describe('config parser under arbitrary input', () => {
  it('returns a configuration or ConfigErrors naming file and line, nothing else', () => {
    fc.assert(
      fc.property(configText, (text) => {
        const lineCount = text.split('\n').length;
        try {
          const { config } = parseHaproxyConfig([{ file: 'fuzz.cfg', text }], { env: { X: '1' }, readFile: () => 'HTTP/1.0 503 x\r\n\r\n' });
          expect(Array.isArray(config.frontends)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigErrors);
          for (const e of (error as ConfigErrors).errors) {
            expect(e.file).toBe('fuzz.cfg');
            expect(e.line).toBeGreaterThanOrEqual(0);
            expect(e.line).toBeLessThanOrEqual(lineCount);
            expect(e.problem.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });
});
