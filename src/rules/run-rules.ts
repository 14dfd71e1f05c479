/**
 * Applies a rule list to a transaction, as HAProxy 2.6 runs `http-request`
 * and `http-response` rules: in order, each whose condition holds; a final
 * action (redirect, deny, return, auth, tarpit, reject, use-service) ends the
 * list with an outcome, `allow` ends the list and lets the message go on.
 * The transaction is rewritten in place; nothing here does I/O.
 */
import type { HeaderMatch, HttpAction, HttpRule, Redirect, Reply } from './actions.ts';
import { conditionPredicate } from './compiled-condition.ts';
import { errorPageAnswer, reasonPhrase, redirectAnswer, replyAnswer, type Answer } from './http-answer.ts';
import { isHeaderNamed, splitTarget, trimLws } from './http-message.ts';
import { renderForHeader, type LogFormat } from './log-format.ts';
import { evaluateOne } from './sample-expression.ts';
import { sampleText, type SampleContext } from './sample.ts';

export type RuleOutcome =
  | { readonly kind: 'continue' }
  /** Answer here instead of forwarding (or instead of the server's response). */
  | { readonly kind: 'answer'; readonly answer: Answer; readonly rule: HttpRule }
  /** `tarpit`: hold the request for `timeout tarpit`, then answer. */
  | { readonly kind: 'tarpit'; readonly answer: Answer; readonly rule: HttpRule }
  /** `reject`: close the connection without an answer. */
  | { readonly kind: 'reject'; readonly rule: HttpRule }
  | { readonly kind: 'service'; readonly name: 'prometheus-exporter'; readonly rule: HttpRule };

export const CONTINUE: RuleOutcome = { kind: 'continue' };

/** Runs `http-request` rules (one section's list) over the request. */
export function runRequestRules(rules: readonly HttpRule[], ctx: SampleContext): RuleOutcome {
  return runRules(rules, ctx, 'request');
}

/** Runs `http-response` rules (one section's list) over `ctx.txn.response`, which must be set. */
export function runResponseRules(rules: readonly HttpRule[], ctx: SampleContext): RuleOutcome {
  return runRules(rules, ctx, 'response');
}

const listConditions = new WeakMap<readonly HttpRule[], readonly ((ctx: SampleContext) => boolean)[]>();

/** The conditions of a section's rule list, compiled once per configuration (./compiled-condition.ts). */
function conditionsOf(rules: readonly HttpRule[]): readonly ((ctx: SampleContext) => boolean)[] {
  let conditions = listConditions.get(rules);
  if (!conditions) listConditions.set(rules, (conditions = rules.map((rule) => conditionPredicate(rule.condition))));
  return conditions;
}

function runRules(rules: readonly HttpRule[], ctx: SampleContext, side: 'request' | 'response'): RuleOutcome {
  if (rules.length === 0) return CONTINUE;
  const conditions = conditionsOf(rules);
  for (let i = 0; i < rules.length; i++) {
    if (!conditions[i]!(ctx)) continue;
    const rule = rules[i]!;
    const action = rule.action;
    if (action.kind === 'allow') return CONTINUE;
    const outcome = applyAction(action, rule, ctx, side);
    if (outcome) return outcome;
  }
  return CONTINUE;
}

/** Applies one action; returns an outcome when the action ends the list. */
function applyAction(action: HttpAction, rule: HttpRule, ctx: SampleContext, side: 'request' | 'response'): RuleOutcome | undefined {
  const txn = ctx.txn;
  const message = side === 'request' ? txn.request : txn.response!;
  switch (action.kind) {
    case 'set-header': {
      // The value is computed before the old lines go, so it may read them.
      const value = render(action.value, ctx);
      removeLines(message.headers, action.name, 'str', undefined);
      message.headers.push([action.name, value]);
      return undefined;
    }
    case 'add-header':
      message.headers.push([action.name, render(action.value, ctx)]);
      return undefined;
    case 'del-header':
      removeLines(message.headers, action.match === 'str' ? action.name : action.name.toLowerCase(), action.match, action.regex);
      return undefined;
    case 'replace-header':
    case 'replace-value': {
      const replacement = render(action.replacement, ctx);
      const lines = message.headers;
      // A line is replaced by a new pair, never changed in place: a copy of the array may share its pairs.
      for (let i = 0; i < lines.length; i++) {
        const [n, v] = lines[i]!;
        if (!isHeaderNamed(n, action.name)) continue;
        lines[i] = [n, action.kind === 'replace-header' ? replaceWhole(v, action.regex, replacement) : replaceEachValue(v, action.regex, replacement)];
      }
      return undefined;
    }
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
      txn.request.target = rewriteTarget(txn.request.target, action.kind, render(action.value, ctx));
      return undefined;
    case 'set-method':
      txn.request.method = render(action.value, ctx);
      return undefined;
    case 'set-status':
      if (txn.response) {
        txn.response.status = action.status;
        txn.response.reason = action.reason ?? reasonPhrase(action.status);
      }
      return undefined;
    case 'set-var': {
      const sample = evaluateOne(action.expr, ctx);
      if (sample) setVariable(ctx, action.name, sample.type === 'ip' ? String(sample.value) : sample.value);
      return undefined;
    }
    case 'set-var-fmt':
      setVariable(ctx, action.name, render(action.format, ctx));
      return undefined;
    case 'unset-var':
      variableStore(ctx, action.name)?.delete(action.name);
      return undefined;
    case 'capture': {
      const sample = evaluateOne(action.expr, ctx);
      txn.captures.push(sample ? sampleText(sample).slice(0, action.length) : '');
      return undefined;
    }
    case 'no-op':
    case 'allow':
      return undefined;
    case 'redirect':
      return { kind: 'answer', answer: redirectAnswer(action.redirect.code, redirectLocation(action.redirect, ctx), action.redirect.cookie), rule };
    case 'deny':
    case 'return':
      return { kind: 'answer', answer: replyOf(action.reply, ctx), rule };
    case 'tarpit':
      return { kind: 'tarpit', answer: replyOf(action.reply, ctx), rule };
    case 'auth': {
      const page = errorPage(401, ctx);
      const realm = (action.realm ?? txn.frontend).replace(/["\\]/g, '\\$&');
      return { kind: 'answer', answer: { ...page, headers: [...page.headers, ['www-authenticate', `Basic realm="${realm}"`]] }, rule };
    }
    case 'reject':
      return { kind: 'reject', rule };
    case 'use-service':
      return { kind: 'service', name: action.service, rule };
  }
}

function render(format: LogFormat, ctx: SampleContext): string {
  return renderForHeader(format, ctx);
}

/**
 * Removes, in place and keeping the order of the rest, the lines whose name
 * matches `wanted` (lower case but for `str`) the `match` way: the array is the
 * transaction's own, and most rules remove nothing (no copy then).
 */
function removeLines(lines: [string, string][], wanted: string, match: HeaderMatch, regex: RegExp | undefined): void {
  let kept = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!headerNameMatches(line[0], wanted, match, regex)) lines[kept++] = line;
  }
  // Setting the length is not free even when it does not change.
  if (kept !== lines.length) lines.length = kept;
}

function headerNameMatches(name: string, wanted: string, match: HeaderMatch, regex: RegExp | undefined): boolean {
  switch (match) {
    case 'str':
      return isHeaderNamed(name, wanted);
    case 'beg':
      return name.toLowerCase().startsWith(wanted);
    case 'end':
      return name.toLowerCase().endsWith(wanted);
    case 'sub':
      return name.toLowerCase().includes(wanted);
    case 'reg':
      return regex!.test(name);
  }
}

/**
 * HAProxy's `exp_replace()`: when the regex matches, the value becomes the
 * replacement with `\0`…`\9` taken from the match (text outside the match is
 * not kept); otherwise the value stays.
 */
function replaceWhole(value: string, regex: RegExp, replacement: string): string {
  const match = regex.exec(value);
  if (!match) return value;
  return replacement.replace(/\\([0-9])/g, (_, d: string) => match[Number(d)] ?? '');
}

/** `replace-value`: each comma-separated value on its own; a replaced value loses the spaces before it. */
function replaceEachValue(value: string, regex: RegExp, replacement: string): string {
  return value
    .split(',')
    .map((element) => {
      const trimmed = trimLws(element);
      const replaced = replaceWhole(trimmed, regex, replacement);
      return replaced === trimmed && !regex.test(trimmed) ? element : replaced;
    })
    .join(',');
}

function rewriteTarget(target: string, kind: 'set-path' | 'set-pathq' | 'set-query' | 'set-uri', value: string): string {
  if (kind === 'set-uri') return value;
  const { authority, path, query } = splitTarget(target);
  switch (kind) {
    case 'set-path':
      return authority + value + (query === undefined ? '' : `?${query}`);
    case 'set-pathq':
      return authority + value;
    case 'set-query':
      return `${authority}${path}?${value}`;
  }
}

/** Where a redirect sends the client (`http_apply_redirect_rule()`). */
export function redirectLocation(redirect: Redirect, ctx: SampleContext): string {
  const value = render(redirect.value, ctx);
  if (redirect.type === 'location') return value;
  const { path: rawPath, query } = splitTarget(ctx.txn.request.target);
  let path = rawPath === '' && query === undefined ? '/' : rawPath;
  if (rawPath === '*') path = '/';
  if (!redirect.dropQuery && query !== undefined) path += `?${query}`;
  let location: string;
  if (redirect.type === 'scheme') {
    const host = ctx.txn.request.headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? '';
    location = `${value}://${trimLws(host)}${path}`;
  } else {
    // The old `redirect prefix /` adds nothing, so that a self-redirect can be written.
    location = (redirect.legacy && value === '/' ? '' : value) + path;
  }
  if (redirect.appendSlash && location !== '' && !location.endsWith('/')) location += '/';
  return location;
}

function errorPage(status: number, ctx: SampleContext): Answer {
  const page = ctx.env.errorPage?.(status, ctx.txn);
  if (!page) return errorPageAnswer(status);
  return { status: page.status, reason: page.reason ?? reasonPhrase(page.status), headers: page.headers, body: page.body };
}

function replyOf(reply: Reply, ctx: SampleContext): Answer {
  const headers = reply.headers.map(([name, format]) => [name, render(format, ctx)] as const);
  switch (reply.body.kind) {
    case 'error-page': {
      const page = errorPage(reply.status, ctx);
      return headers.length === 0 ? page : { ...page, headers: [...headers, ...page.headers] };
    }
    case 'raw':
      return { ...reply.body.answer, reason: reply.body.answer.reason || reasonPhrase(reply.body.answer.status) };
    case 'none':
      return replyAnswer(reply.status, undefined, '', headers);
    case 'text':
      return replyAnswer(reply.status, reply.contentType, reply.body.text, headers);
    case 'format':
      return replyAnswer(reply.status, reply.contentType, render(reply.body.format, ctx), headers);
  }
}

function variableStore(ctx: SampleContext, name: string): Map<string, import('./transaction.ts').VarValue> | undefined {
  if (name.startsWith('sess.')) return ctx.env.sessionVars;
  if (name.startsWith('proc.')) return ctx.env.processVars;
  return ctx.txn.vars;
}

function setVariable(ctx: SampleContext, name: string, value: import('./transaction.ts').VarValue): void {
  variableStore(ctx, name)?.set(name, value);
}
