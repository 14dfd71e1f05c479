/**
 * HAProxy combines the frontend's and the backend's connection options: the
 * most closing one wins (httpclose > http-server-close > http-keep-alive).
 */
import type { ConnectionMode } from '../config/types.ts';

const STRENGTH: Record<ConnectionMode, number> = { 'keep-alive': 0, 'server-close': 1, close: 2 };

export function effectiveConnectionMode(frontend: ConnectionMode, backend: ConnectionMode): ConnectionMode {
  return STRENGTH[frontend] >= STRENGTH[backend] ? frontend : backend;
}
