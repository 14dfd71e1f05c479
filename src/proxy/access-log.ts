/**
 * Access-log lines: HAProxy's `option httplog` layout, or one JSON object per
 * line. Pure formatting; the adapter decides where lines go.
 */
import type { AccessLogEntry } from '../deps.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `127.0.0.1:51234 [24/Nov/2026:11:21:09.123] app app/s1 0/0/1/2/3 200 - - ---- 0/0 "GET / HTTP/1.1"`-like. */
export function formatHttpLog(e: AccessLogEntry): string {
  const d = new Date(e.acceptedAt);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  const client = e.clientPort === undefined ? e.clientAddress : `${e.clientAddress}:${e.clientPort}`;
  const retries = e.redispatched ? `+${e.retries}` : String(e.retries);
  return `${client} [${date}] ${e.frontend} ${e.backend}/${e.server} ${e.responseTime}/${e.totalTime} ${e.status} ${e.termination} ${retries} "${e.method} ${e.uri}"`;
}

export function formatJsonLog(e: AccessLogEntry): string {
  return JSON.stringify({ time: new Date(e.acceptedAt).toISOString(), ...e });
}
