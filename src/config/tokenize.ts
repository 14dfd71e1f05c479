/**
 * Splits one configuration line into words the way HAProxy 2.6's `parse_line()`
 * (src/tools.c) does. Observed with `haproxy -c` (2.6.12):
 *
 * - words are separated by unescaped, unquoted whitespace; `#` outside quotes
 *   starts a comment, even in the middle of a word (`a#b` is `a`);
 * - double quotes group and interpolate environment variables (`"${VAR}"`,
 *   `"$VAR"`, `"${VAR-default}"`, `"${VAR[*]}"` which splits the value into
 *   several words); an unset variable becomes the empty string;
 * - single quotes group with no interpolation and no escapes at all;
 * - outside single quotes a backslash escapes ` `, `\`, `#`, `'`, `"`, gives
 *   `\t` `\n` `\r` and `\xHH`; `\$` is an escape only inside double quotes
 *   (unquoted `a\$b` stays `a\$b`); any other `\c` is kept as typed (`\q`);
 * - `${VAR}` OUTSIDE quotes is NOT interpolated by the tokenizer (2.6 reads it
 *   literally). Addresses are the exception: `bind`/`server` expand variables
 *   themselves, see `expandAddressVariables` in address.ts.
 */

export type TokenizeResult =
  | { readonly ok: true; readonly words: readonly string[] }
  | { readonly ok: false; readonly problem: string; /** 1-based character position, as in HAProxy's "at position N". */ readonly position: number };

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isNameStart = (c: string | undefined) => c !== undefined && /^[A-Za-z_]$/.test(c);
const isNameChar = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

export function tokenizeLine(line: string, env: Readonly<Record<string, string | undefined>>): TokenizeResult {
  const words: string[] = [];
  let word = '';
  // A word exists once anything was typed for it: `""` is an (empty) argument.
  let inWord = false;
  let squote = false;
  let dquote = false;
  let quoteColumn = 0;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };

  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && !squote) {
      const next = line[i + 1];
      inWord = true;
      switch (next) {
        case ' ':
        case '\\':
        case '#':
        case "'":
        case '"':
          word += next;
          i += 2;
          continue;
        case 't':
          word += '\t';
          i += 2;
          continue;
        case 'n':
          word += '\n';
          i += 2;
          continue;
        case 'r':
          word += '\r';
          i += 2;
          continue;
        case '$':
          if (dquote) {
            word += '$';
            i += 2;
            continue;
          }
          word += '\\';
          i += 1;
          continue;
        case 'x':
          if (!isHex(line[i + 2]) || !isHex(line[i + 3])) {
            return { ok: false, problem: 'truncated or invalid hexadecimal sequence', position: i + 1 };
          }
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        default:
          // Not an escape sequence: the backslash is kept (`\q` stays `\q`).
          word += '\\';
          i += 1;
          continue;
      }
    }
    if (isSpace(c) && !squote && !dquote) {
      endWord();
      i += 1;
      continue;
    }
    if (c === '#' && !squote && !dquote) break;
    if (c === '"' && !squote) {
      if (!dquote) quoteColumn = i;
      dquote = !dquote;
      inWord = true;
      i += 1;
      continue;
    }
    if (c === "'" && !dquote) {
      if (!squote) quoteColumn = i;
      squote = !squote;
      inWord = true;
      i += 1;
      continue;
    }
    if (c === '$' && dquote) {
      const variable = readVariable(line, i, env);
      if (!variable.ok) return variable;
      inWord = true;
      if (variable.split) {
        // `"${VAR[*]}"`: each whitespace-separated part of the value is a word.
        const parts = variable.value.split(/[ \t]+/).filter((p) => p !== '');
        parts.forEach((part, index) => {
          if (index > 0) {
            words.push(word);
            word = '';
          }
          word += part;
        });
      } else {
        word += variable.value;
      }
      i = variable.end;
      continue;
    }
    word += c;
    inWord = true;
    i += 1;
  }
  if (squote || dquote) return { ok: false, problem: 'unmatched quote', position: quoteColumn + 1 };
  endWord();
  return { ok: true, words };
}

type VariableResult =
  | { readonly ok: true; readonly value: string; readonly split: boolean; readonly end: number }
  | { readonly ok: false; readonly problem: string; readonly position: number };

/** Reads `$NAME`, `${NAME}`, `${NAME-default}` or `${NAME[*]}` starting at the `$` at `start`. */
function readVariable(line: string, start: number, env: Readonly<Record<string, string | undefined>>): VariableResult {
  let i = start + 1;
  const brace = line[i] === '{';
  if (brace) i += 1;
  if (!isNameStart(line[i])) {
    return { ok: false, problem: 'forbidden first char in environment variable name', position: i + 1 };
  }
  const nameStart = i;
  while (isNameChar(line[i])) i += 1;
  const name = line.slice(nameStart, i);
  let fallback: string | undefined;
  let split = false;
  if (brace) {
    if (line.startsWith('[*]', i)) {
      split = true;
      i += 3;
    }
    if (line[i] === '-') {
      const close = line.indexOf('}', i);
      if (close < 0) return { ok: false, problem: 'unmatched brace in environment variable name', position: start + 2 };
      fallback = line.slice(i + 1, close);
      i = close;
    }
    if (line[i] !== '}') return { ok: false, problem: 'unmatched brace in environment variable name', position: start + 2 };
    i += 1;
  }
  // HAProxy uses the default only when the variable is unset, not when empty.
  const value = env[name] ?? fallback ?? '';
  return { ok: true, value, split, end: i };
}
