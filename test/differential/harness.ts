/**
 * Differential testing: the same configuration and the same traffic on the
 * real haproxy and on edge-balancer (the Node adapter in process, or the Deno
 * CLI), each in front of its own set of echo backends, so the observations
 * can be compared one to one.
 */
import { startEchoBackend, type EchoBackend, type EchoReply } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import type { ClientResponse } from '../helpers/http-client.ts';
import { freePort } from '../helpers/ports.ts';

/** `edge-balancer` is the Node adapter; `edge-balancer-deno` the Deno CLI (its raw front on plain binds). */
export type ProxyKind = 'haproxy' | 'edge-balancer' | 'edge-balancer-deno';

export interface ProxyUnderTest {
  readonly kind: ProxyKind;
  /** The frontend's port. */
  readonly port: number;
  /** Backends by name (`S1`… in the config template). */
  readonly backends: readonly EchoBackend[];
  /** Log lines (haproxy's stderr, edge-balancer's messages). */
  output(): string;
}

/**
 * Starts `kind` on `config`, a config text where `${PORT}` is the frontend's
 * port and `${S1}`, `${S2}`, … the backends' ports (both proxies interpolate
 * environment variables the same way). Runs `scenario`, then closes it all.
 */
export async function runOn<T>(
  kind: ProxyKind,
  config: string,
  backendNames: readonly string[],
  scenario: (proxy: ProxyUnderTest) => Promise<T>,
): Promise<T> {
  const backends: EchoBackend[] = [];
  let close: (() => Promise<void>) | undefined;
  try {
    for (const name of backendNames) backends.push(await startEchoBackend(name));
    const port = await freePort();
    const env: Record<string, string> = { PORT: String(port) };
    backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
    let output: () => string;
    if (kind === 'haproxy') {
      const haproxy = await startHaproxy(config, [port], env);
      close = haproxy.close;
      output = haproxy.output;
    } else if (kind === 'edge-balancer-deno') {
      // Imported here: the runtimes module loads miniflare, which the other kinds do not need.
      const { deno } = await import('../conformance/runtimes.ts');
      const running = await deno.start(config, env, [port]);
      close = running.close;
      output = () => '';
    } else {
      const edge = await startEdge(config, env);
      close = () => edge.close(0);
      output = () => edge.messages.join('\n');
    }
    return await scenario({ kind, port, backends, output });
  } finally {
    await close?.();
    await Promise.all(backends.map((b) => b.close()));
  }
}

/** Runs the scenario on both proxies and returns both results for comparison. */
export async function runOnBoth<T>(
  config: string,
  backendNames: readonly string[],
  scenario: (proxy: ProxyUnderTest) => Promise<T>,
): Promise<{ haproxy: T; edge: T }> {
  const haproxy = await runOn('haproxy', config, backendNames, scenario);
  const edge = await runOn('edge-balancer', config, backendNames, scenario);
  return { haproxy, edge };
}

/**
 * What a client and a backend observed for one exchange, normalised where the
 * Fetch API legitimately differs: repeated response header lines are compared
 * comma-joined (RFC 9110 §5.3), Set-Cookie lines one by one.
 */
export interface Observation {
  readonly status: number;
  readonly setCookie: readonly string[];
  readonly cacheControl: string;
  readonly servedBy: string | undefined;
  /** Request headers the backend saw, for the names asked for. */
  readonly backendSaw: Readonly<Record<string, readonly string[]>>;
}

export function observe(response: ClientResponse, backendHeaders: readonly string[] = ['cookie']): Observation {
  let reply: EchoReply | undefined;
  try {
    reply = JSON.parse(response.body) as EchoReply;
  } catch {
    reply = undefined;
  }
  const backendSaw: Record<string, string[]> = {};
  for (const name of backendHeaders) {
    backendSaw[name] = (reply?.headers ?? []).filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  }
  return {
    status: response.status,
    setCookie: response.all('set-cookie'),
    cacheControl: response.all('cache-control').join(', '),
    servedBy: reply?.server,
    backendSaw,
  };
}
