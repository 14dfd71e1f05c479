import { describe, expect, it } from 'vitest';
import { decideRetry, type RetryContext } from '../../src/proxy/retry-policy.ts';

const base: RetryContext = {
  retriesMade: 0,
  retries: 3,
  redispatch: false,
  direct: true,
  serverStillUsable: true,
  algorithm: 'roundrobin',
  usableActiveServers: 2,
  connectionError: true,
  connectTimeout: 5000,
};

describe('decideRetry (HAProxy back_handle_st_cer)', () => {
  it('gives up once `retries` retries were made', () => {
    expect(decideRetry({ ...base, retriesMade: 3 })).toEqual({ action: 'give-up' });
    expect(decideRetry({ ...base, retries: 0 })).toEqual({ action: 'give-up' });
  });

  it('without redispatch retries the same server after min(1 s, timeout connect)', () => {
    expect(decideRetry({ ...base, direct: false })).toEqual({ action: 'same-server', delayMs: 1000 });
    expect(decideRetry({ ...base, retriesMade: 2, connectTimeout: 200 })).toEqual({ action: 'same-server', delayMs: 200 });
    expect(decideRetry({ ...base, serverStillUsable: false })).toEqual({ action: 'same-server', delayMs: 1000 });
  });

  it('with redispatch a cookie-pinned request moves on the last retry only', () => {
    const ctx = { ...base, redispatch: true };
    expect(decideRetry({ ...ctx, retriesMade: 0 }).action).toBe('same-server');
    expect(decideRetry({ ...ctx, retriesMade: 1 }).action).toBe('same-server');
    expect(decideRetry({ ...ctx, retriesMade: 2 }).action).toBe('redispatch');
  });

  it('with redispatch moves at once when the server went down', () => {
    expect(decideRetry({ ...base, redispatch: true, serverStillUsable: false }).action).toBe('redispatch');
  });

  it('with redispatch a balanced round-robin request moves at once when another server is up', () => {
    const ctx = { ...base, redispatch: true, direct: false };
    expect(decideRetry(ctx).action).toBe('redispatch');
    expect(decideRetry({ ...ctx, usableActiveServers: 1 }).action).toBe('same-server');
    expect(decideRetry({ ...ctx, algorithm: 'leastconn' }).action).toBe('same-server');
  });

  it('a redispatch waits the turn-around unless a round-robin backend has another usable active server', () => {
    const ctx = { ...base, redispatch: true, serverStillUsable: false, connectTimeout: 300 };
    expect(decideRetry(ctx)).toEqual({ action: 'redispatch', delayMs: 0 });
    // The sticky client of a dead server when one server is left: HAProxy took 2 s (two turn-arounds) here.
    expect(decideRetry({ ...ctx, usableActiveServers: 1 })).toEqual({ action: 'redispatch', delayMs: 300 });
    expect(decideRetry({ ...ctx, algorithm: 'leastconn' })).toEqual({ action: 'redispatch', delayMs: 300 });
  });

  it('no turn-around after an attempt that ran out of timeout connect: it has waited already', () => {
    expect(decideRetry({ ...base, connectionError: false })).toEqual({ action: 'same-server', delayMs: 0 });
    expect(decideRetry({ ...base, connectionError: false, redispatch: true, serverStillUsable: false, usableActiveServers: 1 })).toEqual({ action: 'redispatch', delayMs: 0 });
  });
});
