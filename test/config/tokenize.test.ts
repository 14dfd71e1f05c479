import { describe, expect, it } from 'vitest';
import { tokenizeLine } from '../../src/config/index.ts';

const words = (line: string, env: Record<string, string | undefined> = {}) => {
  const result = tokenizeLine(line, env);
  if (!result.ok) throw new Error(`${result.problem} at ${result.position}`);
  return result.words;
};
const failure = (line: string, env: Record<string, string | undefined> = {}) => {
  const result = tokenizeLine(line, env);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.words)}`);
  return { problem: result.problem, position: result.position };
};

// Each expectation below was observed with `haproxy -c` 2.6.12, through the
// argument echoed in "unknown proxy mode '…'" (e.g. `mode a\ b` → 'a b'),
// and HAProxy's 1-based "at position N" for syntax errors.
describe('tokenizeLine (HAProxy 2.6 parse_line)', () => {
  it('splits on spaces and tabs, ignoring leading and repeated ones', () => {
    expect(words('  server  s1\t127.0.0.1:80   check ')).toEqual(['server', 's1', '127.0.0.1:80', 'check']);
    expect(words('')).toEqual([]);
    expect(words('    ')).toEqual([]);
  });

  it('treats # outside quotes as a comment, even inside a word', () => {
    expect(words('# a comment')).toEqual([]);
    expect(words('mode http # trailing')).toEqual(['mode', 'http']);
    expect(words('mode a#b')).toEqual(['mode', 'a']);
    expect(words('mode "a#b"')).toEqual(['mode', 'a#b']);
    expect(words("mode 'a#b'")).toEqual(['mode', 'a#b']);
  });

  it('resolves backslash escapes outside single quotes', () => {
    expect(words('stats realm Strictly\\ Private')).toEqual(['stats', 'realm', 'Strictly Private']);
    expect(words('mode a\\#b')).toEqual(['mode', 'a#b']);
    expect(words('mode a\\\\b')).toEqual(['mode', 'a\\b']);
    expect(words('mode a\\"b')).toEqual(['mode', 'a"b']);
    expect(words("mode a\\'b")).toEqual(['mode', "a'b"]);
    expect(words('mode a\\tb')).toEqual(['mode', 'a\tb']);
    expect(words('mode a\\x41b')).toEqual(['mode', 'aAb']);
    expect(words('mode "a\\ b"')).toEqual(['mode', 'a b']);
    expect(words('mode "a\\"b"')).toEqual(['mode', 'a"b']);
  });

  it('keeps unknown escapes, and \\$ outside double quotes, as typed', () => {
    expect(words('mode a\\qb')).toEqual(['mode', 'a\\qb']);
    expect(words('mode "a\\qb"')).toEqual(['mode', 'a\\qb']);
    expect(words('mode a\\$b')).toEqual(['mode', 'a\\$b']);
    expect(words('mode "a\\$b"')).toEqual(['mode', 'a$b']);
    expect(words('mode a\\')).toEqual(['mode', 'a\\']);
  });

  it('groups with quotes and joins adjacent quoted and bare parts', () => {
    expect(words('mode "a b"')).toEqual(['mode', 'a b']);
    expect(words('mode a"b c"d')).toEqual(['mode', 'ab cd']);
    expect(words(`mode 'a"b'`)).toEqual(['mode', 'a"b']);
    expect(words(`mode "a'b"`)).toEqual(['mode', "a'b"]);
    expect(words('mode "" x')).toEqual(['mode', '', 'x']);
  });

  it('single quotes take everything literally, backslashes included', () => {
    expect(words("mode 'a\\\\b'")).toEqual(['mode', 'a\\\\b']);
    expect(words("mode 'a${V}b'", { V: 'x' })).toEqual(['mode', 'a${V}b']);
    expect(words("mode 'a$V'", { V: 'x' })).toEqual(['mode', 'a$V']);
  });

  it('interpolates ${VAR} and $VAR inside double quotes; unset is empty', () => {
    const env = { V: 'val', E: '' };
    expect(words('mode "a${V}b"', env)).toEqual(['mode', 'avalb']);
    expect(words('mode "$V"', env)).toEqual(['mode', 'val']);
    expect(words('mode "a$V.b"', env)).toEqual(['mode', 'aval.b']);
    expect(words('mode "a$V_b"', env)).toEqual(['mode', 'a']);
    expect(words('mode "${UNSET}x"', env)).toEqual(['mode', 'x']);
    expect(words('mode "${E}" x', env)).toEqual(['mode', '', 'x']);
    expect(words('mode "${V}"x"${V}"', env)).toEqual(['mode', 'valxval']);
  });

  it('supports ${VAR-default} (unset only) and ${VAR[*]} word splitting', () => {
    const env = { V: 'val', E: '', W: 'a b' };
    expect(words('mode "${UNSET-d e}"', env)).toEqual(['mode', 'd e']);
    expect(words('mode "${V-d}"', env)).toEqual(['mode', 'val']);
    expect(words('mode "${E-d}"', env)).toEqual(['mode', '']);
    expect(words('mode "${W}"', env)).toEqual(['mode', 'a b']);
    expect(words('mode "${W[*]}"', env)).toEqual(['mode', 'a', 'b']);
  });

  it('does NOT interpolate ${VAR} outside quotes (HAProxy 2.6 reads it literally)', () => {
    expect(words('mode ${V}', { V: 'val' })).toEqual(['mode', '${V}']);
    expect(words('mode x${V}y $V', { V: 'val' })).toEqual(['mode', 'x${V}y', '$V']);
  });

  it('rejects what HAProxy rejects, with its position', () => {
    expect(failure('    mode "unterminated')).toEqual({ problem: 'unmatched quote', position: 10 });
    expect(failure("    mode 'a\\'b'")).toEqual({ problem: 'unmatched quote', position: 15 });
    expect(failure('    mode "${V"')).toEqual({ problem: 'unmatched brace in environment variable name', position: 12 });
    expect(failure('mode "${V:-d}"').problem).toBe('unmatched brace in environment variable name');
    expect(failure('    mode "${}"')).toEqual({ problem: 'forbidden first char in environment variable name', position: 13 });
    expect(failure('    mode "a$1"')).toEqual({ problem: 'forbidden first char in environment variable name', position: 13 });
    expect(failure('mode "a$"').problem).toBe('forbidden first char in environment variable name');
    expect(failure('    mode a\\xZZ')).toEqual({ problem: 'truncated or invalid hexadecimal sequence', position: 11 });
  });
});
