/** The upgrade decisions on plain data (src/proxy/upgrade.ts, hop-by-hop.ts), as observed on haproxy 2.6. */
import { describe, expect, it } from 'vitest';
import { requestHeadersForServer, responseHeadersForClient } from '../../src/proxy/hop-by-hop.ts';
import { isUpgradeRequest, tunnelTimeout, whyUpgradeIsRefused } from '../../src/proxy/upgrade.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('upgrade requests', () => {
  it('needs the upgrade token in Connection and an Upgrade line', () => {
    expect(isUpgradeRequest([['Connection', 'keep-alive, Upgrade'], ['Upgrade', 'websocket']])).toBe(true);
    expect(isUpgradeRequest([['Upgrade', 'websocket']])).toBe(false);
    expect(isUpgradeRequest([['Connection', 'upgrade']])).toBe(false);
    // haproxy does not upgrade a request with a body: its Upgrade line is dropped.
    expect(isUpgradeRequest([['Connection', 'upgrade'], ['Upgrade', 'foo'], ['Content-Length', '3']])).toBe(false);
    expect(isUpgradeRequest([['Connection', 'upgrade'], ['Upgrade', 'foo'], ['Content-Length', '0']])).toBe(true);
  });

  it('forwards Connection without keep-alive/close, Upgrade and the named fields, whatever the mode', () => {
    const sent: [string, string][] = [
      ['Host', 'x'], ['Connection', 'keep-alive, Upgrade, X-Foo'], ['X-Foo', '1'], ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Key', KEY], ['Keep-Alive', '300'], ['Proxy-Connection', 'keep-alive'],
    ];
    const expected = [['Host', 'x'], ['Connection', 'Upgrade,X-Foo'], ['X-Foo', '1'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Key', KEY]];
    expect(requestHeadersForServer(sent, 'close')).toEqual(expected);
    expect(requestHeadersForServer(sent, 'keep-alive')).toEqual(expected);
    const plain: [string, string][] = [['Connection', 'Upgrade'], ['Upgrade', 'h2c']];
    expect(requestHeadersForServer(plain, 'server-close')).toEqual(plain);
  });

  it('relays a 101 head as the server wrote it, even under httpclose', () => {
    const head: [string, string][] = [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 'a']];
    expect(responseHeadersForClient(head, 'close', 101)).toEqual(head);
  });

  it('refuses a WebSocket upgrade whose key is missing or not 24 characters (haproxy: 400)', () => {
    const ws = (key?: string): [string, string][] => [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ...(key === undefined ? [] : [['Sec-WebSocket-Key', key] as [string, string]])];
    expect(whyUpgradeIsRefused(ws(KEY))).toBeUndefined();
    expect(whyUpgradeIsRefused(ws('!'.repeat(24)))).toBeUndefined();
    expect(whyUpgradeIsRefused(ws('A'.repeat(23)))).toBeDefined();
    expect(whyUpgradeIsRefused(ws())).toBeDefined();
    expect(whyUpgradeIsRefused([['Upgrade', 'websocket']])).toBeUndefined();
    expect(whyUpgradeIsRefused([['Connection', 'Upgrade'], ['Upgrade', 'h2c']])).toBeUndefined();
  });

  it('tunnel timeout: timeout tunnel, else the smaller of client and server', () => {
    expect(tunnelTimeout({ client: 5000 }, { server: 3000, tunnel: 60_000 })).toBe(60_000);
    expect(tunnelTimeout({ client: 5000 }, { server: 3000 })).toBe(3000);
    expect(tunnelTimeout({ client: 2000 }, {})).toBe(2000);
    expect(tunnelTimeout({}, {})).toBeUndefined();
  });
});
