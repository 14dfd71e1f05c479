/**
 * Health held by the HealthObject Durable Object, in workerd (miniflare)
 * with real backends on 127.0.0.1: checks driven explicitly through the
 * object's checkNow (what its alarm runs), the alarm running them on its own,
 * what isolates do with its states, passive failure reports, and its storage
 * across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HealthState } from '../../src/index.ts';
import { startEchoBackend } from '../helpers/echo-backend.ts';
import { send } from '../helpers/http-client.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWorker, type RunningWorker } from './start-worker.ts';
import { servedBy } from './responses.ts';

/** `S2CHK`: where s2's checks go (`check port`), so s2 can fail its checks and still answer requests. */
const config = (checkOptions: string) => `defaults
    mode http
    timeout connect 1s
    timeout server 5s
    retries 2
listen ins
    bind :8080
    balance roundrobin
    option redispatch
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1 check ${checkOptions}
    server s2 127.0.0.1:\${S2} cookie s2 check ${checkOptions} \${S2CHK}
`;

/** Polls the object (no event tells a test when a background check has run). */
async function waitForState(worker: RunningWorker, what: string, condition: (s2: HealthState | undefined) => boolean): Promise<void> {
  let s2: HealthState | undefined;
  const deadline = Date.now() + 10_000;
  while (!condition((s2 = (await worker.states())['ins/s2']))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; s2: ${JSON.stringify(s2)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('HealthObject', () => {
  it('marks a server DOWN after fall checks, every isolate stops choosing it within the snapshot interval, and it is UP again after rise', async () => {
    const SNAPSHOT_MS = 1000;
    const s1 = await startEchoBackend('s1');
    const s2 = await startEchoBackend('s2');
    let s2Checks = await startEchoBackend('s2-checks');
    const env = { S1: String(s1.port), S2: String(s2.port), S2CHK: `port ${s2Checks.port}` };
    const worker = await startWorker(config('inter 60s fall 3 rise 2'), env, {
      isolates: 2,
      bindings: { HEALTH_SNAPSHOT_MS: String(SNAPSHOT_MS) },
    });
    try {
      for (let i = 0; i < 3; i++) await worker.checkNow(); // full health: rise + fall - 1
      for (const port of worker.ports) await send(port, '/'); // each isolate takes its copy now
      const copiedAt = Date.now();

      await s2Checks.close();
      const falls: boolean[] = [];
      for (let i = 0; i < 3; i++) falls.push((await worker.checkNow())['ins/s2']!.up);
      expect(falls).toEqual([true, true, false]);

      // No round trip to the object per request: until its copy is SNAPSHOT_MS old, an
      // isolate still sends every other request to s2 (asserted only while that holds
      // for certain on a loaded machine).
      for (const port of worker.ports) {
        const served = [servedBy(await send(port, '/')), servedBy(await send(port, '/'))];
        if (Date.now() - copiedAt < SNAPSHOT_MS) expect(served.sort()).toEqual(['s1', 's2']);
      }
      await waitFor(() => Date.now() - copiedAt >= SNAPSHOT_MS, 'the isolates copies to age');
      for (const port of worker.ports) {
        for (let i = 0; i < 4; i++) expect(servedBy(await send(port, '/'))).toBe('s1');
        // A cookie naming a server that checks marked DOWN is ignored: another server and a fresh cookie.
        const moved = await send(port, '/', { headers: [['Cookie', 'SERVERNAME=s2']] });
        expect(servedBy(moved)).toBe('s1');
        expect(moved.all('set-cookie')).toEqual(['SERVERNAME=s1; path=/']);
      }

      s2Checks = await startEchoBackend('s2-checks', s2Checks.port);
      const rises: boolean[] = [];
      for (let i = 0; i < 2; i++) rises.push((await worker.checkNow())['ins/s2']!.up);
      expect(rises).toEqual([false, true]);
      const upAt = Date.now();
      await waitFor(() => Date.now() - upAt >= SNAPSHOT_MS, 'the isolates copies to age');
      for (const port of worker.ports) {
        expect([servedBy(await send(port, '/')), servedBy(await send(port, '/'))].sort()).toEqual(['s1', 's2']);
      }
    } finally {
      await worker.close();
      await Promise.all([s1.close(), s2.close(), s2Checks.close()]);
    }
  });

  it('redispatches a sticky client of a stopped server with a new cookie, and has the object check that server at fastinter', async () => {
    const s1 = await startEchoBackend('s1');
    const s2 = await startEchoBackend('s2');
    const worker = await startWorker(config('inter 60s fastinter 200ms fall 3 rise 2'), { S1: String(s1.port), S2: String(s2.port) });
    try {
      for (let i = 0; i < 3; i++) await worker.checkNow();
      await s2.close();
      // The object has not noticed yet: s2 refuses, the last retry goes to s1 (option redispatch).
      const moved = await send(worker.port, '/', { headers: [['Cookie', 'SERVERNAME=s2']] });
      expect(moved.status).toBe(200);
      expect(servedBy(moved)).toBe('s1');
      expect(moved.all('set-cookie')).toEqual(['SERVERNAME=s1; path=/']);
      // The refusal was reported in the background (ctx.waitUntil): the object checked s2
      // at fastinter after its last check instead of at inter (60 s).
      await waitForState(worker, 'the reported check', (s) => s?.chkfail === 1);
      // It goes on at fastinter on its own alarm (driving checks from here as well raced
      // with that alarm on a loaded machine): DOWN after exactly `fall 3` failed checks,
      // well within the wait's 10 s, where inter would have taken 2 minutes.
      await waitForState(worker, 's2 DOWN at fastinter', (s) => s?.up === false);
      expect((await worker.states())['ins/s2']).toMatchObject({ up: false, chkfail: 3 });
    } finally {
      await worker.close();
      await s1.close();
    }
  });

  it('runs the checks on its own alarm, at inter / downinter / fastinter', async () => {
    const s1 = await startEchoBackend('s1');
    let s2 = await startEchoBackend('s2');
    await s2.close();
    const options = 'inter 100ms downinter 100ms fastinter 100ms fall 2 rise 2';
    const worker = await startWorker(config(options), { S1: String(s1.port), S2: String(s2.port) });
    try {
      expect(await worker.states()).toEqual({});
      await send(worker.port, '/'); // the first sync arms the alarm
      await waitForState(worker, 's2 DOWN by the alarm', (s) => s?.up === false);
      s2 = await startEchoBackend('s2', s2.port);
      await waitForState(worker, 's2 UP again by the alarm (rise checks)', (s) => s?.up === true);
      expect((await worker.states())['ins/s2']).toMatchObject({ chkdown: 1, lastCheck: { status: 'L4OK' } });
    } finally {
      await worker.close();
      await Promise.all([s1.close(), s2.close()]);
    }
  });

  it('keeps the health states across a restart of the object', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'edge-do-'));
    const s1 = await startEchoBackend('s1');
    const s2 = await startEchoBackend('s2');
    const env = { S1: String(s1.port), S2: String(s2.port) };
    await s2.close();
    try {
      const first = await startWorker(config('inter 60s'), env, { persistTo: persist });
      let before: Record<string, HealthState>;
      try {
        before = await first.checkNow();
        expect(before['ins/s2']).toMatchObject({ up: false, chkdown: 1 });
      } finally {
        await first.close();
      }
      const second = await startWorker(config('inter 60s'), env, { persistTo: persist });
      try {
        expect(await second.states()).toEqual(before);
        for (let i = 0; i < 3; i++) expect(servedBy(await send(second.port, '/'))).toBe('s1');
      } finally {
        await second.close();
      }
    } finally {
      await s1.close();
      rmSync(persist, { recursive: true, force: true });
    }
  });
});
