/**
 * `http-request` / `http-response` actions and the older `redirect` lines,
 * as data parsed at load. `run-rules.ts` applies them.
 */
import type { Condition } from './condition.ts';
import type { Answer } from './http-answer.ts';
import type { LogFormat } from './log-format.ts';
import type { SampleExpr } from './sample.ts';

export interface Redirect {
  readonly type: 'location' | 'prefix' | 'scheme';
  readonly value: LogFormat;
  readonly code: number;
  readonly dropQuery: boolean;
  readonly appendSlash: boolean;
  /** The whole `Set-Cookie` value (`NAME=v; path=/`, or the clearing form). */
  readonly cookie?: string;
  /** The old `redirect prefix /` adds nothing, so a self-redirect can be written. */
  readonly legacy: boolean;
}

/** `return`, and `deny`/`tarpit` with a payload: what to answer. */
export interface Reply {
  readonly status: number;
  readonly contentType?: string;
  readonly body:
    | { readonly kind: 'none' }
    | { readonly kind: 'text'; readonly text: string }
    | { readonly kind: 'format'; readonly format: LogFormat }
    | { readonly kind: 'error-page' }
    | { readonly kind: 'raw'; readonly answer: Answer };
  readonly headers: readonly (readonly [string, LogFormat])[];
}

export type HeaderMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg';

export type HttpAction =
  | { readonly kind: 'set-header' | 'add-header'; readonly name: string; readonly value: LogFormat }
  | { readonly kind: 'del-header'; readonly name: string; readonly match: HeaderMatch; readonly regex?: RegExp }
  | { readonly kind: 'replace-header' | 'replace-value'; readonly name: string; readonly regex: RegExp; readonly replacement: LogFormat }
  | { readonly kind: 'set-path' | 'set-pathq' | 'set-query' | 'set-uri' | 'set-method'; readonly value: LogFormat }
  | { readonly kind: 'set-status'; readonly status: number; readonly reason?: string }
  | { readonly kind: 'redirect'; readonly redirect: Redirect }
  | { readonly kind: 'deny' | 'tarpit'; readonly reply: Reply }
  | { readonly kind: 'return'; readonly reply: Reply }
  | { readonly kind: 'auth'; readonly realm?: string }
  | { readonly kind: 'allow' }
  | { readonly kind: 'reject' }
  | { readonly kind: 'set-var'; readonly name: string; readonly expr: SampleExpr }
  | { readonly kind: 'set-var-fmt'; readonly name: string; readonly format: LogFormat }
  | { readonly kind: 'unset-var'; readonly name: string }
  | { readonly kind: 'capture'; readonly expr: SampleExpr; readonly length: number }
  | { readonly kind: 'use-service'; readonly service: 'prometheus-exporter' }
  /** Accepted and without effect here (`set-log-level`, `set-nice`…), each said once at load. */
  | { readonly kind: 'no-op'; readonly name: string };

export interface HttpRule {
  readonly action: HttpAction;
  readonly condition: Condition;
  readonly source: { readonly file: string; readonly line: number };
}
