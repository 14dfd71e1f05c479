/**
 * The TLS of one connection to a server: its settings, and the SNI. `sni
 * EXPR` is the only TLS decision made per request (HAProxy evaluates it on
 * each new connection); an empty or failed sample sends no SNI, as HAProxy.
 * Health checks never evaluate it: they send `check-sni` or nothing.
 */
import type { ServerTls } from '../config/types.ts';
import type { UpstreamTls } from '../deps.ts';
import { evaluateOne } from '../rules/sample-expression.ts';
import { sampleText, type SampleContext } from '../rules/sample.ts';

/** Settings without `sni`, shared by every request (no allocation on the fast path). */
const fixed = new WeakMap<ServerTls, UpstreamTls>();

export function serverTlsFor(settings: ServerTls, sample: SampleContext | undefined): UpstreamTls {
  if (settings.sni && sample) {
    const value = evaluateOne(settings.sni, sample);
    const servername = value === undefined ? '' : sampleText(value);
    if (servername !== '') return { settings, servername };
  }
  let tls = fixed.get(settings);
  if (!tls) fixed.set(settings, (tls = { settings }));
  return tls;
}

/** A health check's TLS: `check-sni`, never the `sni` expression (there is no request). */
export function checkTlsFor(settings: ServerTls): UpstreamTls {
  return settings.checkSni !== undefined ? { settings, servername: settings.checkSni } : { settings };
}
