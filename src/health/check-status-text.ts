/**
 * HAProxy's descriptions of check statuses (`check_statuses[]` in check.c),
 * as they appear after "reason:" in logs and in the stats page's tooltips.
 */
import type { CheckStatus } from './types.ts';

const DESCRIPTIONS: Record<CheckStatus, string> = {
  INI: 'Initializing',
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  L6OK: 'Layer6 check passed',
  L6TOUT: 'Layer6 timeout',
  L6RSP: 'Layer6 invalid response',
  L7OK: 'Layer7 check passed',
  L7OKC: 'Layer7 check conditionally passed',
  L7STS: 'Layer7 wrong status',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
};

export function checkStatusDescription(status: CheckStatus): string {
  return DESCRIPTIONS[status];
}

/**
 * Whether HAProxy appends the HTTP code: only for statuses after its
 * `HCHK_STATUS_L57DATA` marker (L7OK, L7OKC, L7STS) — not for L7TOUT/L7RSP.
 */
export function checkStatusHasCode(status: CheckStatus): boolean {
  return status === 'L7OK' || status === 'L7OKC' || status === 'L7STS';
}
