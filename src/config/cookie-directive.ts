/**
 * `cookie NAME [insert|prefix|rewrite] [indirect] [nocache] [postonly]
 * [preserve] [httponly] [secure] [domain D]… [maxidle T] [maxlife T] [attr X]…`
 *
 * What `haproxy -c` (2.6.12) rejects, and so do we: two modes on one line,
 * `rewrite` with `indirect`, `preserve` without `insert` or `indirect`, an
 * `attr` value with `;` or control characters. It ACCEPTS `postonly`,
 * `maxidle` and `maxlife` in prefix/rewrite mode although they only act on
 * inserted cookies; we accept them with a notice. `maxidle`/`maxlife` are in
 * seconds when no unit is given.
 */
import { fail, notice, readDuration, type DirectiveContext } from './directive-context.ts';
import { expectedOneOf } from './suggest.ts';
import type { CookiePolicy } from './types.ts';

const MODES = ['insert', 'prefix', 'rewrite'] as const;
const OPTIONS = ['rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'domain', 'maxidle', 'maxlife', 'attr'];

export function parseCookieDirective(ctx: DirectiveContext): CookiePolicy | undefined {
  const [, name, ...options] = ctx.words;
  if (name === undefined || name === '') return fail(ctx, 'cookie', 'missing cookie name', 'e.g. cookie SERVERID insert indirect nocache');
  let mode: CookiePolicy['mode'] | undefined;
  const flags = { indirect: false, nocache: false, postonly: false, preserve: false, httponly: false, secure: false };
  const domains: string[] = [];
  const attrs: string[] = [];
  let maxidle: number | undefined;
  let maxlife: number | undefined;
  let ok = true;

  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    const value = options[i + 1];
    switch (option) {
      case 'insert':
      case 'prefix':
      case 'rewrite':
        if (mode !== undefined && mode !== option) {
          return fail(ctx, 'cookie', "'rewrite', 'insert' and 'prefix' modes are incompatible", 'choose one mode');
        }
        mode = option;
        break;
      case 'indirect':
      case 'nocache':
      case 'postonly':
      case 'preserve':
      case 'httponly':
      case 'secure':
        flags[option] = true;
        break;
      case 'domain':
        i += 1;
        if (value === undefined) return fail(ctx, 'cookie domain', "'domain' expects a domain name", 'e.g. domain .example.com');
        domains.push(value);
        break;
      case 'attr':
        i += 1;
        if (value === undefined) return fail(ctx, 'cookie attr', "'attr' expects a value", 'e.g. attr SameSite=Lax');
        const problem = cookieAttrProblem(value);
        if (problem) return fail(ctx, 'cookie attr', problem);
        attrs.push(value);
        break;
      case 'maxidle':
      case 'maxlife': {
        i += 1;
        const ms = readDuration(ctx, `cookie ${option}`, value, 's');
        if (ms === undefined) ok = false;
        else if (option === 'maxidle') maxidle = ms;
        else maxlife = ms;
        break;
      }
      case 'dynamic':
        return fail(ctx, 'cookie', "'dynamic' cookies are not supported", 'give each server a fixed value with `server … cookie VALUE`');
      default:
        return fail(ctx, 'cookie', `unknown option '${option}'`, expectedOneOf(option, OPTIONS));
    }
  }
  if (!ok) return undefined;
  if (mode === undefined) {
    // HAProxy accepts a cookie without a mode (the application sets it and
    // HAProxy only routes by it); edge-balancer needs one of the three.
    return fail(ctx, 'cookie', 'missing cookie mode', `add one of ${MODES.join(', ')} (a passive cookie set by the application is not supported)`);
  }
  const conflict = cookieConflicts({ mode, ...flags })[0];
  if (conflict) return fail(ctx, 'cookie', conflict.problem);
  if (mode !== 'insert') {
    const insertOnly = [flags.postonly && 'postonly', maxidle !== undefined && 'maxidle', maxlife !== undefined && 'maxlife'].filter(Boolean);
    if (insertOnly.length > 0) notice(ctx, `'cookie ${name} ${mode}': ${insertOnly.join(', ')} only apply to inserted cookies and have no effect here (HAProxy accepts them too)`);
  }
  return {
    name,
    mode,
    ...flags,
    domains,
    ...(maxidle !== undefined ? { maxidle } : {}),
    ...(maxlife !== undefined ? { maxlife } : {}),
    attrs,
  };
}

/** The option combinations `haproxy -c` rejects, each with the option it is about (both readers report them). */
export function cookieConflicts(policy: Pick<CookiePolicy, 'mode' | 'indirect' | 'preserve'>): { option: 'indirect' | 'preserve'; problem: string }[] {
  return [
    ...(policy.mode === 'rewrite' && policy.indirect ? [{ option: 'indirect' as const, problem: "'rewrite' and 'indirect' modes are incompatible" }] : []),
    ...(policy.preserve && policy.mode !== 'insert' && !policy.indirect ? [{ option: 'preserve' as const, problem: "'preserve' requires at least 'insert' or 'indirect'" }] : []),
  ];
}

/** HAProxy: "character '%x3B' is not permitted in attribute value". */
export function cookieAttrProblem(value: string): string | undefined {
  return /[\x00-\x1f\x7f;]/.test(value) ? `character ';' or a control character is not permitted in attribute value '${value}'` : undefined;
}
