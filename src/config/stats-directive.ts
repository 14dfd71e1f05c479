/**
 * `stats …` in a proxy section. As in HAProxy, every one of these enables the
 * statistics page (`stats uri /` alone is enough). HAProxy's defaults are
 * `STATS_DEFAULT_URI` `/haproxy?stats` and realm `HAProxy Statistics`.
 * `stats refresh` counts in seconds when no unit is given.
 */
import { fail, noExtraWords, notice, readDuration, type DirectiveContext } from './directive-context.ts';
import { defaultStats, type StatsDraft } from './proxy-draft.ts';
import { expectedOneOf } from './suggest.ts';

const KEYWORDS = ['enable', 'uri', 'realm', 'auth', 'refresh', 'hide-version', 'show-legends', 'admin', 'scope', 'show-node', 'show-desc'];

/** Returns the updated stats settings, or undefined after recording an error. */
export function applyStatsDirective(current: StatsDraft | undefined, ctx: DirectiveContext): StatsDraft | undefined {
  const stats: StatsDraft = current ? { ...current, users: [...current.users], ...(current.scope ? { scope: [...current.scope] } : {}) } : defaultStats();
  const [, keyword, value] = ctx.words;
  const directive = `stats ${keyword ?? ''}`.trim();
  switch (keyword) {
    case 'enable':
    case 'hide-version':
    case 'show-legends':
      if (!noExtraWords(ctx, directive, 2)) return undefined;
      if (keyword === 'hide-version') stats.hideVersion = true;
      if (keyword === 'show-legends') stats.showLegends = true;
      return stats;
    case 'uri':
    case 'realm':
      if (value === undefined) return fail(ctx, directive, `'${keyword}' needs a value`, keyword === 'uri' ? 'e.g. stats uri /haproxy?stats' : 'e.g. stats realm Strictly\\ Private');
      if (ctx.words.length > 3) {
        // HAProxy silently keeps only the first word (`stats realm My Stats` gives realm `My`).
        notice(ctx, `'${directive}' uses only '${value}'; HAProxy ignores the words after it too (escape spaces as '\\ ' or quote the value)`);
      }
      if (keyword === 'uri') stats.uri = value;
      else stats.realm = value;
      return stats;
    case 'auth': {
      if (!noExtraWords(ctx, directive, 3)) return undefined;
      const colon = value?.indexOf(':') ?? -1;
      // HAProxy 2.6 accepts `stats auth user` without a password; nobody could log in with it.
      if (value === undefined || colon <= 0) return fail(ctx, directive, `expected USER:PASSWORD, got '${value ?? ''}'`, 'e.g. stats auth admin:secret');
      stats.users.push({ user: value.slice(0, colon), password: value.slice(colon + 1) });
      return stats;
    }
    case 'refresh': {
      if (!noExtraWords(ctx, directive, 3)) return undefined;
      const ms = readDuration(ctx, directive, value, 's');
      if (ms === undefined) return undefined;
      stats.refresh = ms;
      return stats;
    }
    case 'admin': {
      const condition = ctx.words.slice(2).join(' ');
      // Only conditions that always hold can be expressed by `StatsConfig.admin`.
      if (condition === 'if TRUE' || condition === 'unless FALSE') {
        stats.admin = true;
        return stats;
      }
      if (condition === '') return fail(ctx, directive, "'stats admin' requires either 'if' or 'unless' followed by a condition", 'use stats admin if TRUE');
      return fail(ctx, directive, `unsupported condition '${condition}'`, 'only the unconditional form stats admin if TRUE is supported');
    }
    case 'scope':
      // Several lines add up; `.` names the section itself (HAProxy's stats_add_scope).
      if (value === undefined) return fail(ctx, directive, "'scope' needs a proxy name", 'e.g. stats scope app, or stats scope . for this section');
      if (!noExtraWords(ctx, directive, 3)) return undefined;
      stats.scope = [...(stats.scope ?? []), { value, source: ctx.at }];
      return stats;
    case 'show-node':
    case 'show-desc':
      notice(ctx, `'${directive}' is ignored (not needed by edge-balancer)`);
      return stats;
    case undefined:
      return fail(ctx, 'stats', 'missing keyword', `expected one of ${KEYWORDS.join(', ')}`);
    default:
      return fail(ctx, 'stats', `unknown stats parameter '${keyword}'`, expectedOneOf(keyword, KEYWORDS));
  }
}
