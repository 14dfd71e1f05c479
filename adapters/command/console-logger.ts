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

export function createLineLogger(format: LogFormat, sinks: LineSinks): Logger {
  const access =
    format === 'none'
      ? () => {}
      : (entry: AccessLogEntry) => sinks.stdout(format === 'json' ? formatJsonLog(entry) : formatHttpLog(entry));
  return {
    info: (message) => sinks.stderr(`[NOTICE] ${message}`),
    warn: (message) => sinks.stderr(`[WARNING] ${message}`),
    access,
  };
}
