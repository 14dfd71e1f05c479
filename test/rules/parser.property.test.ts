/** Property tests: the ACL / sample / rule parsers never throw, and string matching agrees with a reference model. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAclTest } from '../../src/rules/acl.ts';
import { parseCondition } from '../../src/rules/condition.ts';
import { parseLogFormat } from '../../src/rules/log-format.ts';
import { parseHttpRule } from '../../src/rules/parse-action.ts';
import { parseSampleExpr } from '../../src/rules/sample-expression.ts';
import { aclHolds, txnOf } from './helpers.ts';

const load = { phase: 'request' as const, readFile: (p: string) => (p.length % 2 ? 'a b\n' : (() => { throw new Error('no'); })()) };
const pieces = ['toString', '__proto__', 'constructor', 'path', 'hdr(host)', 'req.hdr', 'var(txn.a)', ',lower', ',regsub(', ')', '(', '"', "'", '\\', '-m', 'reg', 'beg', '-i', '-f', '--', '{', '}', '!', '||', 'or', '[', ']', '%[', '%', 'if', 'unless', 'set-header', 'redirect', 'scheme', 'code', '301', 'map(x)', ' '];
const wordArb = fc.oneof(fc.string(), fc.array(fc.constantFrom(...pieces), { maxLength: 6 }).map((p) => p.join('')));
const wordsArb = fc.array(wordArb, { maxLength: 8 });

describe('parsers never throw', () => {
  it('on arbitrary words', () => {
    fc.assert(
      fc.property(wordsArb, (words) => {
        parseAclTest(words, load);
        parseCondition('if', words, new Map(), load);
        parseHttpRule('request', words, new Map(), load, 'p');
        parseHttpRule('response', words, new Map(), load, 'p');
        parseSampleExpr(words.join(''), load);
        parseLogFormat(words.join(' '), load);
      }),
      { numRuns: 600 },
    );
  });
});

/** The reference model: what each string method means, written plainly. */
function reference(method: string, text: string, pattern: string, ignoreCase: boolean): boolean {
  const t = ignoreCase ? text.toLowerCase() : text;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  switch (method) {
    case 'str': return t === p;
    case 'beg': return t.startsWith(p);
    case 'end': return t.endsWith(p);
    case 'sub': return t.includes(p);
    case 'len': return text.length === Number(pattern);
    case 'found': return true;
    case 'dir':
    case 'dom': {
      const delimiters = method === 'dir' ? '/?' : '/?.:';
      const isDelimiter = (c: string) => delimiters.includes(c);
      let core = p;
      while (core && isDelimiter(core[0]!)) core = core.slice(1);
      while (core && isDelimiter(core.at(-1)!)) core = core.slice(0, -1);
      // HAProxy's match_word(): a pattern of delimiters only matches at the very end, after a delimiter.
      if (core === '') return t === '' || isDelimiter(t.at(-1)!);
      // Split the text into words at delimiters; a match is a run of whole words equal to the core…
      for (let start = 0; start <= t.length - core.length; start++) {
        if (start > 0 && !isDelimiter(t[start - 1]!)) continue;
        if (t.slice(start, start + core.length) !== core) continue;
        const end = start + core.length;
        if (end === t.length || isDelimiter(t[end]!)) return true;
      }
      return false;
    }
    default: throw new Error(method);
  }
}

describe('-i and every string -m method agree with the reference model', () => {
  const textArb = fc.stringMatching(/^[a-cA-C/.?:]{0,8}$/);
  const patternArb = fc.stringMatching(/^[a-cA-C/.?:]{1,4}$/);
  for (const method of ['str', 'beg', 'end', 'sub', 'dir', 'dom', 'len', 'found'] as const) {
    it(method, () => {
      fc.assert(
        fc.property(textArb, patternArb, fc.boolean(), (text, rawPattern, ignoreCase) => {
          const pattern = method === 'len' ? String(rawPattern.length) : rawPattern;
          const acl = `hdr(x)${ignoreCase ? ' -i' : ''} -m ${method}${method === 'found' ? '' : ` -- ${pattern}`}`;
          const txn = txnOf('/', [['X', text]]);
          expect(aclHolds(acl, txn)).toBe(reference(method, text, pattern, ignoreCase));
        }),
        { numRuns: 400 },
      );
    });
  }
});
