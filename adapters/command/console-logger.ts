/**
 * The command's log: access lines on stdout, health transitions and notices
 * on stderr, as a daemon's log would be. Each command gives its runtime's
 * way of writing a line.
 */
import type { AccessLogEntry, Logger } from '../../src/deps.ts';
import { formatHttpLog, formatJsonLog } from '../../src/proxy/access-log.ts';

export const LOG_FORMATS = ['httplog', 'json', 'none'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LineSinks {
  stdout(line: string): void;
  stderr(line: string): void;
}

/**
 * `pid`: set in a worker of several (`nbthread`), so each access line says
 * which process served it, as HAProxy's syslog lines do (`haproxy[PID]: …`):
 * httplog lines start with `edge-balancer[PID]: `, JSON lines get `"pid"`.
 */
export function createLineLogger(format: LogFormat, sinks: LineSinks, tag: { readonly pid?: number } = {}): Logger {
  const prefix = tag.pid === undefined ? '' : `edge-balancer[${tag.pid}]: `;
  const json = (entry: AccessLogEntry) => (tag.pid === undefined ? formatJsonLog(entry) : formatJsonLog({ ...entry, pid: tag.pid } as AccessLogEntry));
  const access =
    format === 'none'
      ? () => {}
      : (entry: AccessLogEntry) => sinks.stdout(format === 'json' ? json(entry) : prefix + formatHttpLog(entry));
  return {
    info: (message) => sinks.stderr(`[NOTICE] ${message}`),
    warn: (message) => sinks.stderr(`[WARNING] ${message}`),
    access,
    writesAccess: format !== 'none',
  };
}
