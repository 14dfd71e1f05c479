/**
 * `if|unless CONDITION` as HAProxy 2.6 reads it (`parse_acl_cond()` in
 * src/acl.c): terms separated by spaces are ANDed, `||` or `or` separates
 * ORed groups, `!` negates the next term, `{ … }` is an anonymous ACL, and a
 * name refers to an `acl` line declared EARLIER in the same section. Empty
 * groups (`a ||`, `|| a`, `a or or b`) are dropped, as HAProxy does.
 *
 * Several `acl` lines with the same name are ORed, so a named ACL may stand for
 * several tests; the result is flattened into the `anyOf`/AND form of
 * `Condition` (a negated multi-test ACL becomes an AND of negations).
 */
import { parseAclTest } from './acl.ts';
import { closestMatch } from './suggest.ts';
import type { AclTerm, AclTest, Condition } from './types.ts';

export type ConditionResult =
  | { readonly ok: true; readonly condition: Condition; readonly notices: readonly string[] }
  | { readonly ok: false; readonly problem: string; readonly hint?: string };

/** HAProxy's predefined ACLs that edge-balancer can express. */
type Constant = 'TRUE' | 'FALSE';

interface Reference {
  readonly negate: boolean;
  readonly tests: readonly AclTest[] | Constant;
}

const PREDEFINED_UNSUPPORTED = new Set([
  'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_3.0', 'HTTP_CONTENT', 'HTTP_URL_ABS', 'HTTP_URL_SLASH', 'HTTP_URL_STAR',
  'LOCALHOST', 'METH_CONNECT', 'METH_DELETE', 'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST', 'METH_PUT', 'METH_TRACE',
  'RDP_COOKIE', 'REQ_CONTENT', 'WAIT_END',
]);

/**
 * `keyword` is `if` or `unless`; `words` follow it. `acls` holds the named ACLs
 * declared so far in the section.
 */
export function parseCondition(keyword: string, words: readonly string[], acls: ReadonlyMap<string, readonly AclTest[]>): ConditionResult {
  if (keyword !== 'if' && keyword !== 'unless') {
    return { ok: false, problem: `unexpected keyword '${keyword}' before the condition`, hint: "only 'if' and 'unless' are allowed" };
  }
  if (words.length === 0) {
    // HAProxy accepts an empty condition and never matches it; almost surely a mistake.
    return { ok: false, problem: `'${keyword}' needs a condition`, hint: 'e.g. if { path_beg /api }' };
  }
  const notices: string[] = [];
  const groups: Reference[][] = [];
  let group: Reference[] | undefined;
  let negate = false;

  for (let i = 0; i < words.length; i++) {
    let word = words[i]!;
    while (word.startsWith('!')) {
      negate = !negate;
      word = word.slice(1);
    }
    if (word === '') continue;
    if (word === '||' || word.toLowerCase() === 'or') {
      group = undefined;
      negate = false;
      continue;
    }
    let tests: readonly AclTest[] | Constant;
    if (word === '{') {
      const close = words.indexOf('}', i + 1);
      if (close < 0) return { ok: false, problem: "missing closing '}' in condition", hint: "braces must be separate words: '{ path_beg /x }'" };
      const parsed = parseAclTest(words.slice(i + 1, close));
      if (!parsed.ok) return parsed;
      if (parsed.notice) notices.push(parsed.notice);
      tests = [parsed.test];
      i = close;
    } else if (word === 'TRUE' || word === 'FALSE') {
      tests = word;
    } else {
      const named = acls.get(word);
      if (!named) return unknownAcl(word, acls);
      tests = named;
    }
    if (!group) {
      group = [];
      groups.push(group);
    }
    group.push({ negate, tests });
    negate = false;
  }
  if (groups.length === 0) return { ok: false, problem: `'${keyword}' needs a condition`, hint: 'e.g. if { path_beg /api }' };
  return { ok: true, condition: { unless: keyword === 'unless', anyOf: groups.flatMap(expandGroup) }, notices };
}

function unknownAcl(word: string, acls: ReadonlyMap<string, readonly AclTest[]>): ConditionResult {
  if (word.startsWith('{') || word.endsWith('}')) {
    return { ok: false, problem: `no such ACL '${word}'`, hint: "braces must be separate words: '{ path_beg /x }'" };
  }
  if (PREDEFINED_UNSUPPORTED.has(word)) {
    return { ok: false, problem: `predefined ACL '${word}' is not supported`, hint: 'only TRUE and FALSE, named ACLs and { path_beg … } / { hdr(NAME) … }' };
  }
  const suggestion = closestMatch(word, [...acls.keys()]);
  return {
    ok: false,
    problem: `no such ACL '${word}'`,
    hint: suggestion ? `did you mean '${suggestion}'?` : "declare it with 'acl NAME …' earlier in the same section (HAProxy reads ACLs in order)",
  };
}

/** AND of references → list of alternative AND-terms (disjunctive normal form). */
function expandGroup(group: readonly Reference[]): AclTerm[][] {
  let alternatives: AclTerm[][] = [[]];
  for (const reference of group) {
    const options = referenceAlternatives(reference);
    alternatives = alternatives.flatMap((terms) => options.map((option) => [...terms, ...option]));
  }
  return alternatives;
}

/** One reference as ORed alternatives: `[]` never holds, `[[]]` always holds. */
function referenceAlternatives(reference: Reference): AclTerm[][] {
  const { negate, tests } = reference;
  if (tests === 'TRUE' || tests === 'FALSE') return (tests === 'TRUE') !== negate ? [[]] : [];
  if (negate) return [tests.map((test) => ({ negate: true, test }))];
  return tests.map((test) => [{ negate: false, test }]);
}
