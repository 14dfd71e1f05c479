/**
 * `compression algo …` / `type …` / `offload` (HAProxy 2.6's
 * parse_compression_options): each line adds to the proxy's lists, in front
 * (HAProxy prepends), on top of what `defaults` gave.
 */
import { fail, notice, type DirectiveContext } from './directive-context.ts';
import type { ProxyDraft } from './proxy-draft.ts';
import { expectedOneOf } from './suggest.ts';
import type { CompressionAlgorithm } from './types.ts';

const ALGORITHMS: readonly CompressionAlgorithm[] = ['identity', 'gzip', 'deflate', 'raw-deflate'];

export function applyCompression(draft: ProxyDraft, ctx: DirectiveContext): void {
  const [, what, ...values] = ctx.words;
  const compression = (draft.compression ??= { algorithms: [], types: [], offload: false });
  if (what === 'algo') {
    if (values.length === 0) return void fail(ctx, 'compression algo', 'expects at least one algorithm', `expected ${ALGORITHMS.join(', ')}`);
    const unknown = values.find((v) => !(ALGORITHMS as readonly string[]).includes(v));
    if (unknown) return void fail(ctx, 'compression algo', `unknown compression algorithm '${unknown}'`, expectedOneOf(unknown, ALGORITHMS));
    for (const value of values) compression.algorithms.unshift(value as CompressionAlgorithm);
  } else if (what === 'type') {
    if (values.length === 0) return void fail(ctx, 'compression type', 'expects at least one MIME type');
    for (const value of values) compression.types.unshift(value.toLowerCase());
  } else if (what === 'offload') {
    // HAProxy warns and ignores it there: sections never inherit `offload`.
    if (draft.kind === 'defaults') return notice(ctx, "'compression offload' is ignored in a 'defaults' section (as haproxy): put it in the frontend or backend");
    compression.offload = true;
  } else {
    return void fail(ctx, 'compression', `unknown argument '${what ?? ''}'`, expectedOneOf(what ?? '', ['algo', 'type', 'offload']));
  }
}
