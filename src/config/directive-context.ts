/** What a directive handler sees of the line it handles, and small shared readers. */
import type { Diagnostics } from './diagnostics.ts';
import { parseDuration, type TimeUnit } from './duration.ts';
import type { GlobalSettings, SourceLocation } from './types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface DirectiveContext {
  readonly at: SourceLocation;
  /** All words of the line, keyword included. */
  readonly words: readonly string[];
  readonly env: Env;
  readonly readFile: ((path: string) => string) | undefined;
  readonly diagnostics: Diagnostics;
  /** The `global` settings read so far (HAProxy applies `ca-base` and the server TLS defaults as lines are read). */
  readonly global?: GlobalSettings;
  /**
   * Object configs: where the line came from (`frontends[0].httpRequest[2]`).
   * Messages then name this path, followed by the directive.
   */
  readonly path?: string;
}

/** Records an error for this line and returns undefined, so handlers can `return fail(…)`. */
export function fail(ctx: Pick<DirectiveContext, 'at' | 'diagnostics' | 'path'>, directive: string, problem: string, hint?: string): undefined {
  if (ctx.path === undefined) ctx.diagnostics.error(ctx.at, directive, problem, hint);
  else ctx.diagnostics.error(ctx.at, ctx.path, directive ? `'${directive}': ${problem}` : problem, hint);
  return undefined;
}

export function notice(ctx: Pick<DirectiveContext, 'at' | 'diagnostics' | 'path'>, text: string): void {
  ctx.diagnostics.notice(ctx.at, ctx.path === undefined ? text : `'${ctx.path}': ${text}`);
}

/**
 * A decimal integer in [min, max]. HAProxy reads most numbers with atoi and
 * silently takes `weight x` as 0; edge-balancer rejects such values.
 */
export function readInteger(ctx: DirectiveContext, directive: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return fail(ctx, directive, 'missing number', `expected an integer from ${min} to ${max}`);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    return fail(ctx, directive, `invalid number '${text}'`, `expected an integer from ${min} to ${max}`);
  }
  return Number(text);
}

export function readDuration(ctx: DirectiveContext, directive: string, text: string | undefined, unit: TimeUnit = 'ms'): number | undefined {
  if (text === undefined) {
    return fail(ctx, directive, 'missing time value', `expected a time like 500ms, 2s, 1m (a bare number is in ${unit === 'ms' ? 'milliseconds' : 'seconds'})`);
  }
  const parsed = parseDuration(text, unit);
  return parsed.ok ? parsed.ms : fail(ctx, directive, parsed.problem);
}

/** Errors when the line has more than `count` words (HAProxy: "cannot handle unexpected argument"). */
export function noExtraWords(ctx: DirectiveContext, directive: string, count: number): boolean {
  const extra = ctx.words[count];
  if (extra === undefined) return true;
  fail(ctx, directive, `unexpected argument '${extra}'`, `'${directive}' takes ${count - directive.split(' ').length} argument(s)`);
  return false;
}
