/**
 * The message HAProxy logs when a check changes a server's state
 * (server.c: `srv_update_status()` + `srv_append_status()`), e.g.
 *
 *   Server app/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused",
 *   check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued,
 *   0 remaining in queue.
 *   Server app/s2 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms.
 *   2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
 *   Server app/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 1ms.
 *   1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
 *
 * (each on one line).
 */
import { checkStatusDescription, checkStatusHasCode } from './check-status-text.ts';
import type { HealthTransition } from './apply-check-result.ts';
import type { CheckResult } from './types.ts';

export interface TransitionLogInput {
  readonly backend: string;
  readonly server: string;
  /** A backup server's message starts with "Backup Server". */
  readonly backup?: boolean;
  readonly transition: HealthTransition;
  readonly result: CheckResult;
  /**
   * Servers that can take traffic after the change (HAProxy's `srv_act` and
   * `srv_bck`: usable, not draining, weight > 0), this one included when UP.
   */
  readonly activeServers: number;
  readonly backupServers: number;
  /** Connections still on the server going DOWN (`cur_sess`). */
  readonly sessionsActive?: number;
  /** Queued requests moved (`xferred`); we have no queues, so 0. */
  readonly requeued?: number;
  /** Requests left in the server's queue. */
  readonly queued?: number;
}

export function formatTransitionLog(input: TransitionLogInput): string {
  const { result } = input;
  const state = input.transition === 'NOLB' ? 'stopping' : input.transition;
  let message = `${input.backup ? 'Backup ' : ''}Server ${input.backend}/${input.server} is ${state}`;

  message += `, reason: ${checkStatusDescription(result.status)}`;
  if (checkStatusHasCode(result.status)) message += `, code: ${result.code ?? 0}`;
  if (result.info) message += `, info: "${asciiEncode(result.info, '"')}"`;
  if (result.durationMs >= 0) message += `, check duration: ${Math.floor(result.durationMs)}ms`;

  const onBackup = input.backupServers > 0 && input.activeServers === 0 ? ' Running on backup.' : '';
  const requeued = input.requeued ?? 0;
  const queued = input.queued ?? 0;
  if (input.transition === 'DOWN') {
    message +=
      `. ${input.activeServers} active and ${input.backupServers} backup servers left.${onBackup}` +
      ` ${input.sessionsActive ?? 0} sessions active, ${requeued} requeued, ${queued} remaining in queue`;
  } else {
    message +=
      `. ${input.activeServers} active and ${input.backupServers} backup servers online.${onBackup}` +
      ` ${requeued} sessions requeued, ${queued} total in queue`;
  }
  return `${message}.`;
}

/**
 * HAProxy's `chunk_asciiencode()`: bytes that are not printable ASCII, `<`,
 * `>` and the quote character become `<XX>` (hex), so a log line stays one
 * line and the quoted field cannot be broken out of.
 */
export function asciiEncode(text: string, quote: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    const printable = byte >= 0x20 && byte < 0x7f;
    if (!printable || c === '<' || c === '>' || c === quote) out += `<${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
    else out += c;
  }
  return out;
}
