import { describe, expect, it } from 'vitest';
import { addForwardedFor, addressInNetwork } from '../../src/proxy/forwarded-for.ts';
import { requestHeadersForServer, responseHeadersForClient } from '../../src/proxy/hop-by-hop.ts';
import { effectiveConnectionMode } from '../../src/proxy/connection-mode.ts';

describe('option forwardfor', () => {
  const policy = { header: 'X-Forwarded-For', ifNone: false };

  it('appends a new line after an existing one, as HAProxy does', () => {
    const out = addForwardedFor([['Host', 'a'], ['X-Forwarded-For', '203.0.113.7']], policy, '127.0.0.1');
    expect(out).toEqual([['Host', 'a'], ['X-Forwarded-For', '203.0.113.7'], ['X-Forwarded-For', '127.0.0.1']]);
  });

  it('honours if-none, header and except', () => {
    const existing: [string, string][] = [['x-forwarded-for', '1.2.3.4']];
    expect(addForwardedFor(existing, { ...policy, ifNone: true }, '127.0.0.1')).toBe(existing);
    expect(addForwardedFor([], { ...policy, header: 'X-Real-IP' }, '10.1.2.3')).toEqual([['X-Real-IP', '10.1.2.3']]);
    expect(addForwardedFor([], { ...policy, except: '127.0.0.0/8' }, '127.0.0.5')).toEqual([]);
    expect(addForwardedFor([], { ...policy, except: '127.0.0.0/8' }, '10.0.0.1')).toEqual([['X-Forwarded-For', '10.0.0.1']]);
  });

  it('matches IPv4, IPv6 and v4-mapped addresses against networks', () => {
    expect(addressInNetwork('192.168.1.77', '192.168.1.0/24')).toBe(true);
    expect(addressInNetwork('192.168.2.1', '192.168.1.0/24')).toBe(false);
    expect(addressInNetwork('10.0.0.1', '10.0.0.1')).toBe(true);
    expect(addressInNetwork('::1', '::1/128')).toBe(true);
    expect(addressInNetwork('2001:db8::5', '2001:db8::/32')).toBe(true);
    expect(addressInNetwork('2001:db9::5', '2001:db8::/32')).toBe(false);
    expect(addressInNetwork('::ffff:127.0.0.1', '127.0.0.0/8')).toBe(true);
    expect(addressInNetwork('::1', '127.0.0.0/8')).toBe(false);
    expect(addressInNetwork('garbage', '127.0.0.0/8')).toBe(false);
  });
});

describe('hop-by-hop headers', () => {
  it('removes connection-specific fields and those named in Connection from requests; TE only down to trailers', () => {
    const out = requestHeadersForServer(
      [
        ['Host', 'h'],
        ['Connection', 'keep-alive, X-Secret'],
        ['Keep-Alive', 'timeout=5'],
        ['X-Secret', 's'],
        ['Transfer-Encoding', 'chunked'],
        ['TE', 'trailers'],
        ['Upgrade', 'websocket'],
        ['Proxy-Connection', 'keep-alive'],
        ['Cookie', 'a=1'],
      ],
      'keep-alive',
    );
    expect(out).toEqual([['Host', 'h'], ['te', 'trailers'], ['Cookie', 'a=1']]);
    expect(requestHeadersForServer([['TE', 'gzip']], 'keep-alive')).toEqual([]);
  });

  it('reads Connection lists item by item (spaces, case, empty items, several lines) and hop-by-hop names in any case', () => {
    const out = requestHeadersForServer(
      [
        ['connection', ' Keep-Alive ,, x-one\t'],
        ['CONNECTION', 'X-Two,close'],
        ['X-ONE', '1'],
        ['x-two', '2'],
        ['X-Three', '3'],
        ['close', 'named by Connection: close'],
        ['KEEP-ALIVE', 'timeout=5'],
        ['PROXY-CONNECTION', 'x'],
        ['transfer-ENCODING', 'chunked'],
        ['Trailer', 'x'],
        ['uPgRaDe', 'h2c'],
        ['tE', 'gzip, Trailers'],
        ['Te', 'trailers'],
        ['X-Keep-Alive', 'a name a hop-by-hop name ends'],
      ],
      'keep-alive',
    );
    expect(out).toEqual([['X-Three', '3'], ['te', 'trailers'], ['X-Keep-Alive', 'a name a hop-by-hop name ends']]);
    const response = responseHeadersForClient(
      [['Connection', 'X-Gone , keep-alive'], ['x-gone', '1'], ['TRAILER', 'x'], ['keep-alive', 'timeout=5'], ['Upgrade', 'h2c'], ['X-Kept', '2']],
      'keep-alive',
    );
    expect(response).toEqual([['TRAILER', 'x'], ['keep-alive', 'timeout=5'], ['X-Kept', '2']]);
  });

  it('asks the server to close under httpclose and http-server-close', () => {
    expect(requestHeadersForServer([['Host', 'h']], 'close')).toEqual([['Host', 'h'], ['connection', 'close']]);
    expect(requestHeadersForServer([['Host', 'h']], 'server-close')).toEqual([['Host', 'h'], ['connection', 'close']]);
  });

  it("passes the server's Keep-Alive unless httpclose, then answers Connection: close", () => {
    const response: [string, string][] = [['Keep-Alive', 'timeout=5'], ['Connection', 'keep-alive'], ['X-A', '1']];
    expect(responseHeadersForClient(response, 'keep-alive')).toEqual([['Keep-Alive', 'timeout=5'], ['X-A', '1']]);
    expect(responseHeadersForClient(response, 'close')).toEqual([['X-A', '1'], ['connection', 'close']]);
  });

  it('combines frontend and backend modes, the most closing winning', () => {
    expect(effectiveConnectionMode('keep-alive', 'close')).toBe('close');
    expect(effectiveConnectionMode('server-close', 'keep-alive')).toBe('server-close');
    expect(effectiveConnectionMode('keep-alive', 'keep-alive')).toBe('keep-alive');
  });
});
