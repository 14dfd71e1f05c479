/**
 * Log-format strings in action values (HAProxy 2.6 manual, 8.2.4): literal
 * text, `%[sample expression]`, and the `%X` aliases that mean something at
 * admission (`%ci %cp %fi %fp %f %ft %b %s %H %ID %HM %HU %HP %HQ %HV %ST %t %Ts %T %rt`).
 * `%%` is a percent sign; an option block `%{+Q}` before an item is accepted
 * and ignored. Parsed at load; rendering does no parsing.
 */
import { closestMatch } from '../config/suggest.ts';
import { targetPath, targetQuery } from './http-message.ts';
import { sampleTextFunction } from './compiled-condition.ts';
import { parseSampleExpr, readArguments, type SampleLoad } from './sample-expression.ts';
import type { SampleContext, SampleExpr } from './sample.ts';

export type LogFormatPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'sample'; readonly expr: SampleExpr }
  | { readonly kind: 'alias'; readonly name: string };

export type LogFormat = readonly LogFormatPart[];

export type LogFormatResult = { readonly ok: true; readonly format: LogFormat } | { readonly ok: false; readonly problem: string; readonly hint?: string };

/** What renders each alias; values unknown at admission print as HAProxy prints a missing one, `-`. */
const ALIASES: Readonly<Record<string, (ctx: SampleContext, extra: RenderExtras) => string | undefined>> = {
  ci: (ctx) => ctx.txn.conn.clientAddress,
  cp: (ctx) => ctx.txn.conn.clientPort?.toString(),
  fi: (ctx) => ctx.txn.conn.localAddress,
  fp: (ctx) => ctx.txn.conn.localPort?.toString(),
  f: (ctx) => ctx.txn.frontend,
  // `%ft`: the frontend name, followed by `~` on a TLS connection.
  ft: (ctx) => ctx.txn.frontend + (ctx.txn.conn.tls ? '~' : ''),
  b: (ctx) => ctx.txn.backend ?? ctx.txn.frontend,
  s: (ctx) => ctx.txn.server ?? '<NOSRV>',
  H: (_ctx, extra) => extra.hostname,
  ID: (ctx) => ctx.txn.uniqueId,
  HM: (ctx) => ctx.txn.request.method,
  HU: (ctx) => ctx.txn.request.target,
  HP: (ctx) => targetPath(ctx.txn.request.target),
  HQ: (ctx) => {
    const query = targetQuery(ctx.txn.request.target);
    return query === undefined ? '' : `?${query}`;
  },
  HV: (ctx) => `HTTP/${ctx.txn.conn.httpVersion}`,
  ST: (ctx) => ctx.txn.response?.status.toString(),
  Ts: (ctx) => Math.floor(now(ctx) / 1000).toString(),
  t: (ctx) => acceptDate(now(ctx)),
  T: (ctx) => httpDate(now(ctx)),
  rt: (ctx) => ctx.txn.requestCounter?.toString(),
  pid: (_ctx, extra) => extra.pid,
};

export interface RenderExtras {
  /** `%H`: the host name HAProxy logs (the adapter's, or `localhost`). */
  readonly hostname?: string;
  readonly pid?: string;
}

const now = (ctx: SampleContext) => ctx.env.now?.() ?? Date.now();

export function parseLogFormat(text: string, load: SampleLoad): LogFormatResult {
  const parts: LogFormatPart[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '%') {
      literal += c;
      continue;
    }
    if (text[i + 1] === '%') {
      literal += '%';
      i++;
      continue;
    }
    let j = i + 1;
    if (text[j] === '{') {
      const close = text.indexOf('}', j);
      if (close < 0) return { ok: false, problem: `missing '}' after '%{' in log-format '${text}'` };
      j = close + 1;
      // `%{+X}o` sets options for the items after it (hexadecimal, quoting…): nothing to print.
      if (text[j] === 'o' && !/[A-Za-z]/.test(text[j + 1] ?? '')) {
        i = j;
        continue;
      }
    }
    if (text[j] === '[') {
      const end = findExpressionEnd(text, j + 1);
      if (end < 0) return { ok: false, problem: `missing ']' after '%[' in log-format '${text}'` };
      const parsed = parseSampleExpr(text.slice(j + 1, end), load);
      if (!parsed.ok) return parsed;
      flush();
      parts.push({ kind: 'sample', expr: parsed.expr });
      i = end;
      continue;
    }
    const name = /^[A-Za-z]+/.exec(text.slice(j))?.[0] ?? '';
    const alias = longestAlias(name);
    if (!alias) {
      const near = name ? closestMatch(name, Object.keys(ALIASES)) : undefined;
      return { ok: false, problem: `unknown or unsupported log-format variable '%${name}'`, hint: `${near ? `did you mean '%${near}'? ` : ''}use %[sample] or one of ${Object.keys(ALIASES).map((a) => `%${a}`).join(' ')}` };
    }
    flush();
    parts.push({ kind: 'alias', name: alias });
    i = j + alias.length - 1;
  }
  flush();
  return { ok: true, format: parts };
}

/** HAProxy reads the longest known variable name (`%Ts` before `%T`); the rest is literal text. */
function longestAlias(name: string): string | undefined {
  for (let length = name.length; length > 0; length--) {
    const candidate = name.slice(0, length);
    if (Object.hasOwn(ALIASES, candidate)) return candidate;
  }
  return undefined;
}

/** The `]` closing `%[`, skipping brackets inside argument lists (`regsub([a-z],x)`). */
function findExpressionEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ']') return i;
    if (c === '(') {
      const read = readArguments(text, i);
      if ('problem' in read) return -1;
      i = read.end;
      continue;
    }
    i++;
  }
  return -1;
}

/** Renders a format; a failed sample or unknown value renders as `-` in logs and as '' in headers (`forHeader`). */
export function renderLogFormat(format: LogFormat, ctx: SampleContext, options: { forHeader: boolean; extras?: RenderExtras } = { forHeader: true }): string {
  let out = '';
  for (const part of format) {
    if (part.kind === 'text') out += part.text;
    else {
      const value = part.kind === 'sample' ? sampleTextFunction(part.expr)(ctx) : ALIASES[part.name]!(ctx, options.extras ?? NO_EXTRAS);
      out += value ?? (options.forHeader ? '' : '-');
    }
  }
  return out;
}

const NO_EXTRAS: RenderExtras = {};

const headerRenderers = new WeakMap<LogFormat, (ctx: SampleContext) => string>();

/**
 * A format as a header value or an action's argument (`forHeader`), compiled
 * at first use: literal text only (`set-header X-Frame-Options DENY`) is
 * joined once, a lone `%[…]` is its compiled expression.
 */
export function renderForHeader(format: LogFormat, ctx: SampleContext): string {
  let render = headerRenderers.get(format);
  if (!render) headerRenderers.set(format, (render = compileForHeader(format)));
  return render(ctx);
}

function compileForHeader(format: LogFormat): (ctx: SampleContext) => string {
  if (isLiteral(format)) {
    const text = format.map((part) => (part.kind === 'text' ? part.text : '')).join('');
    return () => text;
  }
  const only = format.length === 1 ? format[0]! : undefined;
  if (only?.kind === 'sample') {
    const text = sampleTextFunction(only.expr);
    return (ctx) => text(ctx) ?? '';
  }
  return (ctx) => renderLogFormat(format, ctx, FOR_HEADER);
}

const FOR_HEADER = { forHeader: true } as const;

/** True when the format is a single literal (so it can be rendered once). */
export function isLiteral(format: LogFormat): boolean {
  return format.every((p) => p.kind === 'text');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `%t`: `10/Mar/2024:14:03:07.123` (local time in HAProxy; UTC here, the only zone every runtime has). */
function acceptDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
