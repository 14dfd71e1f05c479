/**
 * The rule directives of proxy sections: `http-request`, `http-response`,
 * the old `redirect`, `monitor-uri`, `monitor fail`, `unique-id-format` and
 * `unique-id-header`. Placement as HAProxy 2.6's keyword matrix: rules in
 * frontend, listen and backend (not defaults); monitor-uri and unique-id in
 * defaults, frontend and listen.
 */
import type { HttpRule } from '../rules/actions.ts';
import { parseCondition } from '../rules/condition.ts';
import { parseLogFormat } from '../rules/log-format.ts';
import { parseHttpRule, parseRedirect, type Side } from '../rules/parse-action.ts';
import { fail, noExtraWords, notice, type DirectiveContext } from './directive-context.ts';
import { hasFrontendCapability, type ProxyDraft } from './proxy-draft.ts';
import { ruleLoad } from './rule-load.ts';

export const RULE_DIRECTIVES = ['http-request', 'http-response', 'redirect', 'monitor-uri', 'monitor', 'unique-id-format', 'unique-id-header'];

export function applyRuleDirective(draft: ProxyDraft, ctx: DirectiveContext): void {
  const keyword = ctx.words[0]!;
  switch (keyword) {
    case 'http-request':
    case 'http-response':
      return applyHttpRule(draft, ctx, keyword === 'http-request' ? 'request' : 'response');
    case 'redirect':
      return applyRedirect(draft, ctx);
    case 'monitor-uri': {
      const uri = ctx.words[1];
      if (uri === undefined) return void fail(ctx, 'monitor-uri', 'expects a URI', 'e.g. monitor-uri /health');
      if (!noExtraWords(ctx, 'monitor-uri', 2) || !frontendOnly(draft, ctx, 'monitor-uri')) return;
      draft.monitorUri = uri;
      return;
    }
    case 'monitor': {
      const [, what, keywordWord, ...condition] = ctx.words;
      if (what !== 'fail') return void fail(ctx, 'monitor', `unknown argument '${what ?? ''}'`, "expected 'monitor fail if|unless <condition>'");
      if (!notInDefaults(draft, ctx, 'monitor fail')) return;
      const parsed = parseCondition(keywordWord ?? '', condition, draft.acls, ruleLoad(draft, ctx, 'request'));
      if (!parsed.ok) return void fail(ctx, 'monitor fail', parsed.problem, parsed.hint);
      parsed.notices.forEach((text) => notice(ctx, text));
      if (frontendOnly(draft, ctx, 'monitor fail')) draft.monitorFail = parsed.condition;
      return;
    }
    case 'unique-id-format': {
      const text = ctx.words[1];
      if (text === undefined) return void fail(ctx, 'unique-id-format', 'expects a log-format string', 'e.g. unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid');
      if (!noExtraWords(ctx, 'unique-id-format', 2)) return;
      const parsed = parseLogFormat(text, ruleLoad(draft, ctx, 'request'));
      if (!parsed.ok) return void fail(ctx, 'unique-id-format', parsed.problem, parsed.hint);
      if (frontendOnly(draft, ctx, 'unique-id-format')) draft.uniqueIdFormat = parsed.format;
      return;
    }
    case 'unique-id-header': {
      const name = ctx.words[1];
      if (name === undefined) return void fail(ctx, 'unique-id-header', 'expects a header name', 'e.g. unique-id-header X-Unique-ID');
      if (noExtraWords(ctx, 'unique-id-header', 2) && frontendOnly(draft, ctx, 'unique-id-header')) draft.uniqueIdHeader = name;
      return;
    }
  }
}

function notInDefaults(draft: ProxyDraft, ctx: DirectiveContext, directive: string): boolean {
  if (draft.kind !== 'defaults') return true;
  fail(ctx, directive, "not allowed in 'defaults' section", 'move it to a frontend, backend or listen section');
  return false;
}

function frontendOnly(draft: ProxyDraft, ctx: DirectiveContext, directive: string): boolean {
  if (hasFrontendCapability(draft.kind)) return true;
  notice(ctx, `'${directive}' ignored because backend '${draft.name}' has no frontend capability`);
  return false;
}

function applyHttpRule(draft: ProxyDraft, ctx: DirectiveContext, side: Side): void {
  const directive = `http-${side}`;
  if (!notInDefaults(draft, ctx, directive)) return;
  const words = ctx.words.slice(1);
  if (words.length === 0) return void fail(ctx, directive, 'expects an action', side === 'request' ? 'e.g. http-request set-header X-Forwarded-Proto https if { ssl_fc }' : 'e.g. http-response set-header X-Frame-Options DENY');
  const parsed = parseHttpRule(side, words, draft.acls, ruleLoad(draft, ctx, side), draft.name);
  if (!parsed.ok) return void fail(ctx, `${directive} ${words[0]}`, parsed.problem, parsed.hint);
  parsed.notices.forEach((text) => notice(ctx, text));
  const rule: HttpRule = { action: parsed.action, condition: parsed.condition, source: ctx.at };
  (side === 'request' ? draft.httpRequestRules : draft.httpResponseRules).push(rule);
}

/** `redirect location|prefix|scheme …`: the old directive, run after the section's http-request rules. */
function applyRedirect(draft: ProxyDraft, ctx: DirectiveContext): void {
  if (!notInDefaults(draft, ctx, 'redirect')) return;
  const words = ctx.words.slice(1);
  const split = words.findIndex((w) => w === 'if' || w === 'unless');
  const load = ruleLoad(draft, ctx, 'request');
  const redirect = parseRedirect(split < 0 ? words : words.slice(0, split), load, true);
  if (!redirect.ok) return void fail(ctx, 'redirect', redirect.problem, redirect.hint);
  let condition: HttpRule['condition'] = { unless: false, anyOf: [[]] };
  if (split >= 0) {
    const parsed = parseCondition(words[split]!, words.slice(split + 1), draft.acls, load);
    if (!parsed.ok) return void fail(ctx, 'redirect', parsed.problem, parsed.hint);
    parsed.notices.forEach((text) => notice(ctx, text));
    condition = parsed.condition;
  }
  draft.redirectRules.push({ action: { kind: 'redirect', redirect: redirect.value }, condition, source: ctx.at });
}
