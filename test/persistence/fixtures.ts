import type { CookiePolicy, Server } from '../../src/config/types.ts';

export function policy(over: Partial<CookiePolicy> = {}): CookiePolicy {
  return {
    name: 'SERVERNAME', mode: 'insert', indirect: false, nocache: false, postonly: false, preserve: false,
    httponly: false, secure: false, domains: [], attrs: [], ...over,
  };
}

/** `cookie` null: the server has no `cookie VALUE`. */
export function server(name: string, cookie: string | null = name): Server {
  return {
    name, host: '127.0.0.1', port: 8000, weight: 1, cookie: cookie ?? undefined, backup: false, disabled: false,
    source: { file: 'test', line: 1 },
  };
}

export const SERVERS = [server('s1'), server('s2')] as const;

/** 2026-11-24T11:27:40Z, a multiple of 4 s. */
export const NOW_S = 1795519660;
export const NOW = NOW_S * 1000;
