/**
 * Conditions and sample expressions turned into functions once per
 * configuration, so a request pays for the tests and nothing else: no lookup
 * of the fetch by name, no array of samples, no lower-cased copy of each
 * header name. The configuration objects are frozen and shared by every
 * request, so each is compiled at its first use and kept beside it (a
 * WeakMap: a reloaded configuration's go with it).
 *
 * The ACL tests a site usually writes (`path_beg`, `hdr(host) -i`, `url`,
 * `method`, `ssl_fc`, …, without converters) read their text straight from
 * the transaction; any other test or expression goes through the general
 * evaluation (./acl.ts, ./sample-expression.ts), which is the reference for
 * what each one means. Nothing is cached across tests: every test reads the
 * transaction as the rules before it left it.
 */
import type { AclTest } from './acl.ts';
import { aclTestMatches } from './acl.ts';
import type { Condition } from './condition.ts';
import { isHeaderNamed, splitHeaderValue, targetPath, trimLws } from './http-message.ts';
import { matchString, type PatternSet } from './patterns.ts';
import { evaluateOne } from './sample-expression.ts';
import { sampleText, type SampleContext, type SampleExpr } from './sample.ts';

type Predicate = (ctx: SampleContext) => boolean;
/** A sample expression's text, or undefined when it yields nothing. */
type TextOf = (ctx: SampleContext) => string | undefined;

const predicates = new WeakMap<Condition, Predicate>();

/** The condition as a function of the transaction (see conditionHolds in ./condition.ts). */
export function conditionPredicate(condition: Condition): Predicate {
  let predicate = predicates.get(condition);
  if (!predicate) predicates.set(condition, (predicate = compileCondition(condition)));
  return predicate;
}

/** OR of ANDs, then `unless` inverts; a term is the OR of its ACL's tests, possibly negated. */
function compileCondition(condition: Condition): Predicate {
  const groups = condition.anyOf.map((group) =>
    group.map((term) => ({ negate: term.negate, tests: term.tests.map(compileAclTest) })),
  );
  const unless = condition.unless;
  // `if` / `unless` with one term of one test: the rules sites write most.
  if (groups.length === 1 && groups[0]!.length === 1 && groups[0]![0]!.tests.length === 1) {
    const { negate, tests } = groups[0]![0]!;
    const test = tests[0]!;
    const flip = negate !== unless;
    return flip ? (ctx) => !test(ctx) : test;
  }
  if (groups.length === 1 && groups[0]!.length === 0) return () => !unless;
  return (ctx) => {
    for (const group of groups) {
      let all = true;
      for (const term of group) {
        let any = false;
        for (const test of term.tests) {
          if (test(ctx)) {
            any = true;
            break;
          }
        }
        if (any === term.negate) {
          all = false;
          break;
        }
      }
      if (all) return !unless;
    }
    return unless;
  };
}

/** One ACL test: true when a value of its sample matches one of its patterns (./acl.ts's aclTestMatches). */
export function compileAclTest(test: AclTest): Predicate {
  const { sample, patterns } = test;
  if (sample.converters.length === 0) {
    const name = sample.fetch.name;
    const args = sample.fetch.args;
    if (patterns.method === 'bool' && name === 'ssl_fc') return (ctx) => ctx.txn.conn.tls !== undefined;
    const matches = textMatcher(patterns);
    if (matches) {
      const text = singleText(name, args);
      if (text) return (ctx) => matches(text(ctx));
      // `hdr(NAME)` with no occurrence: every comma-separated value of every NAME line.
      if ((name === 'req.hdr' || name === 'hdr') && args.length === 1 && typeof args[0] === 'string' && args[0] !== '') {
        const lower = args[0].toLowerCase();
        return (ctx) => {
          for (const [n, v] of ctx.txn.request.headers) {
            if (!isHeaderNamed(n, lower)) continue;
            if (v.indexOf(',') < 0) {
              if (matches(trimLws(v))) return true;
            } else {
              for (const value of splitHeaderValue(v)) if (matches(value)) return true;
            }
          }
          return false;
        };
      }
    }
  }
  return (ctx) => aclTestMatches(test, ctx);
}

/** The fetches that always yield exactly one text, read with no work beyond it. */
function singleText(name: string, args: readonly unknown[]): ((ctx: SampleContext) => string) | undefined {
  if (args.length > 0) return undefined;
  switch (name) {
    case 'path':
      return (ctx) => targetPath(ctx.txn.request.target);
    case 'url':
      return (ctx) => ctx.txn.request.target;
    case 'method':
      return (ctx) => ctx.txn.request.method;
    default:
      return undefined;
  }
}

/** The string match methods as one function of the sample's text; undefined for the others. */
function textMatcher(patterns: PatternSet): ((text: string) => boolean) | undefined {
  if (!('values' in patterns)) return undefined;
  const { method, ignoreCase, values } = patterns;
  const folded = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  if (values.length === 1) {
    const value = values[0]!;
    switch (method) {
      case 'str':
        return (text) => folded(text) === value;
      case 'beg':
        return (text) => folded(text).startsWith(value);
      default:
        return (text) => matchString(method, folded(text), value);
    }
  }
  return (text) => {
    const t = folded(text);
    for (const value of values) if (matchString(method, t, value)) return true;
    return false;
  };
}

const texts = new WeakMap<SampleExpr, TextOf>();

/** A sample expression's text as `%[…]` inserts it (./log-format.ts), compiled at first use. */
export function sampleTextFunction(expr: SampleExpr): TextOf {
  let text = texts.get(expr);
  if (!text) texts.set(expr, (text = compileSampleText(expr)));
  return text;
}

function compileSampleText(expr: SampleExpr): TextOf {
  const { name, args } = expr.fetch;
  if (expr.converters.length === 0) {
    const single = singleText(name, args);
    if (single) return single;
    // `req.hdr(NAME)` without occurrence: the last value of the last NAME line.
    if ((name === 'req.hdr' || name === 'hdr') && args.length === 1 && typeof args[0] === 'string' && args[0] !== '') {
      const lower = args[0].toLowerCase();
      return (ctx) => {
        const lines = ctx.txn.request.headers;
        for (let i = lines.length - 1; i >= 0; i--) {
          const [n, v] = lines[i]!;
          if (!isHeaderNamed(n, lower)) continue;
          return v.indexOf(',') < 0 ? trimLws(v) : splitHeaderValue(v).at(-1);
        }
        return undefined;
      };
    }
  }
  return (ctx) => {
    const sample = evaluateOne(expr, ctx);
    return sample === undefined ? undefined : sampleText(sample);
  };
}
