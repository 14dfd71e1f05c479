/**
 * ACL tests: `path_beg VALUE…` and `hdr(NAME) [-i] VALUE…`, the two fetches
 * edge-balancer routes on. Used by `acl NAME …` lines and by anonymous ACLs
 * `{ … }` in conditions.
 */
import { expectedOneOf } from './suggest.ts';
import type { AclTest } from './types.ts';

export type AclTestResult = { readonly ok: true; readonly test: AclTest; readonly notice?: string } | { readonly ok: false; readonly problem: string; readonly hint?: string };

const SUPPORTED = ['path_beg', 'hdr(<name>)'];
const SUPPORTED_HINT = 'edge-balancer supports path_beg VALUE… and hdr(NAME) [-i] VALUE…';

/** HAProxy's ACL names: letters, digits and `-_.:` (`acl a! …` is rejected). */
export const ACL_NAME = /^[A-Za-z0-9_.:-]+$/;

/** Parses `FETCH [FLAGS] VALUES…` (the words after `acl NAME`, or inside `{ }`). */
export function parseAclTest(words: readonly string[]): AclTestResult {
  const [fetch, ...rest] = words;
  if (fetch === undefined) return { ok: false, problem: 'missing fetch method in ACL expression', hint: SUPPORTED_HINT };

  let ignoreCase = false;
  let index = 0;
  // Flags come first; `--` ends them so a value may start with '-'.
  for (; index < rest.length; index++) {
    const flag = rest[index]!;
    if (flag === '--') {
      index += 1;
      break;
    }
    if (!flag.startsWith('-')) break;
    if (flag === '-i') {
      ignoreCase = true;
      continue;
    }
    return { ok: false, problem: `ACL flag '${flag}' is not supported`, hint: `only '-i' (ignore case) with hdr(NAME); ${SUPPORTED_HINT}` };
  }
  const values = rest.slice(index);
  // HAProxy only warns about a test without values (it never matches).
  const notice = values.length === 0 ? `ACL '${fetch}' has no value to match and never matches (HAProxy warns too)` : undefined;

  if (fetch === 'path_beg') {
    if (ignoreCase) return { ok: false, problem: "'-i' is not supported with path_beg", hint: 'path_beg compares case-sensitively in edge-balancer' };
    return { ok: true, test: { kind: 'path_beg', values }, ...(notice ? { notice } : {}) };
  }
  const header = /^hdr\(([^(),]*)\)$/.exec(fetch);
  if (header) {
    const name = header[1]!.trim().toLowerCase();
    if (name === '') return { ok: false, problem: `'${fetch}' needs a header name`, hint: 'e.g. hdr(host)' };
    return { ok: true, test: { kind: 'hdr', header: name, values, ignoreCase }, ...(notice ? { notice } : {}) };
  }
  if (fetch === 'hdr') return { ok: false, problem: "'hdr' needs a header name", hint: 'e.g. hdr(host) -i example.com' };
  if (/^hdr\(/.test(fetch)) return { ok: false, problem: `'${fetch}': only hdr(NAME) without an occurrence number is supported`, hint: SUPPORTED_HINT };
  return { ok: false, problem: `unsupported ACL fetch '${fetch}'`, hint: `${expectedOneOf(fetch, SUPPORTED)}` };
}
