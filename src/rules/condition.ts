/**
 * `if|unless CONDITION` as HAProxy 2.6 reads it (`parse_acl_cond()` in
 * src/acl.c): terms separated by spaces are ANDed, `||` or `or` separates
 * ORed groups, `!` negates the next term, `{ … }` is an anonymous ACL, and a
 * name refers to an `acl` line declared EARLIER in the same section (several
 * lines with one name are ORed), else to a predefined ACL. Empty groups
 * (`a ||`, `|| a`, `a or or b`) are dropped, as HAProxy does.
 */
import { closestMatch } from '../config/suggest.ts';
import { parseAclTest, predefinedAcl, PREDEFINED_ACLS, type AclTest } from './acl.ts';
import { conditionPredicate } from './compiled-condition.ts';
import type { SampleLoad } from './sample-expression.ts';
import type { SampleContext } from './sample.ts';

/** A term: an ACL (the OR of its tests), possibly negated with `!`. */
export interface AclTerm {
  readonly negate: boolean;
  /** The ACL's name; absent for an anonymous `{ … }`. */
  readonly name?: string;
  readonly tests: readonly AclTest[];
}

/** Terms are ANDed within a group and groups are ORed (`||`). */
export interface Condition {
  readonly unless: boolean;
  readonly anyOf: readonly (readonly AclTerm[])[];
}

/** The condition of a rule without `if`/`unless`: always holds. */
export const ALWAYS: Condition = { unless: false, anyOf: [[]] };

export type ConditionResult =
  | { readonly ok: true; readonly condition: Condition; readonly notices: readonly string[] }
  | { readonly ok: false; readonly problem: string; readonly hint?: string };

/**
 * `keyword` is `if` or `unless`; `words` follow it. `acls` holds the named
 * ACLs declared so far in the section.
 */
export function parseCondition(keyword: string, words: readonly string[], acls: ReadonlyMap<string, readonly AclTest[]>, load: SampleLoad): ConditionResult {
  if (keyword !== 'if' && keyword !== 'unless') {
    return { ok: false, problem: `unexpected keyword '${keyword}' before the condition`, hint: "only 'if' and 'unless' are allowed" };
  }
  if (words.length === 0) {
    // HAProxy accepts an empty condition and never matches it; almost surely a mistake.
    return { ok: false, problem: `'${keyword}' needs a condition`, hint: 'e.g. if { path_beg /api }' };
  }
  const notices: string[] = [];
  const groups: AclTerm[][] = [];
  let group: AclTerm[] | undefined;
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
    let term: AclTerm;
    if (word === '{') {
      const close = words.indexOf('}', i + 1);
      if (close < 0) return { ok: false, problem: "missing closing '}' in condition", hint: "braces must be separate words: '{ path_beg /x }'" };
      const parsed = parseAclTest(words.slice(i + 1, close), load);
      if (!parsed.ok) return parsed;
      if (parsed.notice) notices.push(parsed.notice);
      term = { negate, tests: [parsed.test] };
      i = close;
    } else {
      const tests = acls.get(word) ?? wrap(predefinedAcl(word));
      if (!tests) return unknownAcl(word, acls);
      term = { negate, name: word, tests };
    }
    if (!group) {
      group = [];
      groups.push(group);
    }
    group.push(term);
    negate = false;
  }
  if (groups.length === 0) return { ok: false, problem: `'${keyword}' needs a condition`, hint: 'e.g. if { path_beg /api }' };
  return { ok: true, condition: { unless: keyword === 'unless', anyOf: groups }, notices };
}

function wrap(test: AclTest | undefined): readonly AclTest[] | undefined {
  return test ? [test] : undefined;
}

function unknownAcl(word: string, acls: ReadonlyMap<string, readonly AclTest[]>): ConditionResult {
  if (word.startsWith('{') || word.endsWith('}')) {
    return { ok: false, problem: `no such ACL '${word}'`, hint: "braces must be separate words: '{ path_beg /x }'" };
  }
  const suggestion = closestMatch(word, [...acls.keys(), ...PREDEFINED_ACLS]);
  return {
    ok: false,
    problem: `no such ACL '${word}'`,
    hint: suggestion ? `did you mean '${suggestion}'?` : "declare it with 'acl NAME …' earlier in the same section (HAProxy reads ACLs in order)",
  };
}

/** Evaluates a condition over the transaction as HAProxy does: OR of ANDs, then `unless` inverts (compiled once: ./compiled-condition.ts). */
export function conditionHolds(condition: Condition, ctx: SampleContext): boolean {
  return conditionPredicate(condition)(ctx);
}
