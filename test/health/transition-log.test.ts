import { describe, expect, it } from 'vitest';
import { asciiEncode, formatTransitionLog } from '../../src/health/index.ts';
import { OK, REFUSED } from './fixtures.ts';

describe('formatTransitionLog (server.c srv_update_status + srv_append_status)', () => {
  it('DOWN, layer 4 (observed)', () => {
    expect(
      formatTransitionLog({ backend: 'app', server: 's2', transition: 'DOWN', result: REFUSED, activeServers: 1, backupServers: 0 }),
    ).toBe(
      'Server app/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. ' +
        '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    );
  });

  it('UP, layer 4 (observed)', () => {
    expect(
      formatTransitionLog({ backend: 'app', server: 's2', transition: 'UP', result: OK, activeServers: 2, backupServers: 0 }),
    ).toBe(
      'Server app/s2 is UP, reason: Layer4 check passed, check duration: 0ms. ' +
        '2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    );
  });

  it('layer 7: the HTTP code for L7OK/L7STS, info quoted', () => {
    expect(
      formatTransitionLog({
        backend: 'app', server: 's1', transition: 'UP', activeServers: 1, backupServers: 1,
        result: { ok: true, status: 'L7OK', code: 200, durationMs: 3.7 },
      }),
    ).toBe('Server app/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 3ms. 1 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.');
    expect(
      formatTransitionLog({
        backend: 'app', server: 's1', transition: 'DOWN', activeServers: 0, backupServers: 1, sessionsActive: 2,
        result: { ok: false, status: 'L7STS', code: 500, info: 'Internal Server Error', durationMs: 1 },
      }),
    ).toBe(
      'Server app/s1 is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: 1ms. ' +
        '0 active and 1 backup servers left. Running on backup. 2 sessions active, 0 requeued, 0 remaining in queue.',
    );
  });

  it('no code for L7TOUT / L7RSP; "Backup Server" for a backup', () => {
    expect(
      formatTransitionLog({
        backend: 'app', server: 'b1', backup: true, transition: 'DOWN', activeServers: 0, backupServers: 0,
        result: { ok: false, status: 'L7TOUT', durationMs: 2001 },
      }),
    ).toBe('Backup Server app/b1 is DOWN, reason: Layer7 timeout, check duration: 2001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.');
  });

  it('encodes quotes, angle brackets and non-printable bytes like chunk_asciiencode', () => {
    expect(asciiEncode('say "hi" <b>\n\u00e9', '"')).toBe('say <22>hi<22> <3C>b<3E><0A><C3><A9>');
  });
});
