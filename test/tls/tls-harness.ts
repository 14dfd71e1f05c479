/**
 * The TLS differential tests' runner: the same configuration on haproxy and
 * on edge-balancer (Node), each in front of its own echo backends. In the
 * config text `${PORT}` is a plain port, `${TLS_PORT}` a TLS one, `${S1}`…
 * the backends.
 */
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { startEdge } from '../helpers/edge-balancer.ts';
import { startHaproxy } from '../helpers/haproxy.ts';
import { freePorts } from '../helpers/ports.ts';
import type { ProxyKind } from '../differential/harness.ts';

export interface TlsProxy {
  readonly kind: ProxyKind;
  readonly port: number;
  readonly tlsPort: number;
  readonly backends: readonly EchoBackend[];
}

export async function runTls<T>(kind: ProxyKind, config: string, backendNames: readonly string[], scenario: (proxy: TlsProxy) => Promise<T>): Promise<T> {
  const backends: EchoBackend[] = [];
  let close: (() => Promise<void>) | undefined;
  try {
    for (const name of backendNames) backends.push(await startEchoBackend(name));
    const [port, tlsPort] = (await freePorts(2)) as [number, number];
    const env: Record<string, string> = { PORT: String(port), TLS_PORT: String(tlsPort) };
    backends.forEach((b, i) => (env[`S${i + 1}`] = String(b.port)));
    const ports = config.includes('${PORT}') ? [port, tlsPort] : [tlsPort];
    if (kind === 'haproxy') close = (await startHaproxy(config, ports, env)).close;
    else {
      const edge = await startEdge(config, env);
      close = () => edge.close(0);
    }
    return await scenario({ kind, port, tlsPort, backends });
  } finally {
    await close?.();
    await Promise.all(backends.map((b) => b.close()));
  }
}

export async function runTlsOnBoth<T>(config: string, backendNames: readonly string[], scenario: (proxy: TlsProxy) => Promise<T>): Promise<{ haproxy: T; edge: T }> {
  const haproxy = await runTls('haproxy', config, backendNames, scenario);
  const edge = await runTls('edge-balancer', config, backendNames, scenario);
  return { haproxy, edge };
}
