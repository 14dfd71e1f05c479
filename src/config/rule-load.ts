/** What the rule engine's parsers need from the line being read: files, and where names it references must exist. */
import type { Phase } from '../rules/fetches.ts';
import type { SampleLoad } from '../rules/sample-expression.ts';
import type { DirectiveContext } from './directive-context.ts';
import type { ProxyDraft } from './proxy-draft.ts';

export function ruleLoad(draft: ProxyDraft, ctx: DirectiveContext, phase: Phase): SampleLoad {
  return {
    phase,
    readFile: ctx.readFile,
    reference: (kind, name) => draft.references.push({ kind, name, source: ctx.at, ...(ctx.path !== undefined ? { path: ctx.path } : {}) }),
  };
}
