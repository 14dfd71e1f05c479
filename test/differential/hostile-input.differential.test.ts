/**
 * The hostile-input table of docs/reliability.md, checked: every case of
 * reliability/hostile-cases.ts on haproxy and on edge-balancer, then
 * generated requests on edge-balancer. Single behaviours are asserted in
 * more detail elsewhere (400 pages and framing: test/node/hostile-requests…,
 * client-errors.differential…; request targets: request-target.differential…;
 * the refusal rules: test/proxy/hostile-request-head…). Here the whole table
 * must agree with haproxy, except for the differences listed below.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_BACKENDS, type HostileGroup } from '../../reliability/hostile-cases.ts';
import { DELIBERATE_DIFFERENCES, runHostileInput, sameOutcome, type HostileInputResult } from '../../reliability/hostile-input.ts';

/**
 * The cases where edge-balancer answers otherwise than haproxy 2.6, each
 * stricter (README, "Behaviour compared with HAProxy"):
 */
const EXPECTED_DIFFERENCES = [
  // ambiguous framing haproxy repairs is refused: the ingredients of request smuggling
  'Content-Length and Transfer-Encoding: chunked',
  'two equal Content-Length lines',
  'Content-Length: 4, 4 (one line)',
  'obs-fold continuation line',
  // Node's parser: lines end at CRLF only, control characters in values refused, HTTP/1.0 and 1.1 only
  'bare LF line endings',
  'bare LF in the cookie',
  'NUL in the cookie',
  'HTTP/1.2',
  // not tunnelled: 405 instead of haproxy's attempt
  'CONNECT',
  // refused like two equal Content-Length lines
  'two equal Host lines',
  // the upstream client cannot send `OPTIONS *`
  'target *',
  // hop-by-hop headers are removed, as RFC 9110 §7.6.1 asks; haproxy forwards most of them
  'hop-by-hop headers, X-Secret named in Connection',
];

let result: HostileInputResult;
beforeAll(async () => {
  result = await runHostileInput({ fuzzRuns: 100 });
}, 180_000);

const forwarded = (group?: HostileGroup) => result.cases.filter((r) => !group || r.case.group === group).flatMap((r) => r.edge.reached.map((seen) => ({ name: r.case.name, seen })));

describe('hostile input: haproxy vs edge-balancer', () => {
  it('edge-balancer answers every case: nothing hung', () => {
    expect(result.cases.filter((r) => r.edge.answer === 'hung').map((r) => r.case.name)).toEqual([]);
  });

  it('edge-balancer forwards nothing haproxy refuses', () => {
    const refusedByHaproxy = result.cases.filter((r) => r.haproxy.reached.length === 0);
    expect(refusedByHaproxy.length).toBeGreaterThan(10);
    expect(refusedByHaproxy.filter((r) => r.edge.reached.length > 0).map((r) => r.case.name)).toEqual([]);
  });

  it('answers as haproxy does, apart from the listed differences, each explained in the report', () => {
    const differing = result.cases.filter((r) => !sameOutcome(r.haproxy, r.edge)).map((r) => r.case.name);
    expect(differing.sort()).toEqual([...EXPECTED_DIFFERENCES].sort());
    expect(Object.keys(DELIBERATE_DIFFERENCES).sort()).toEqual([...EXPECTED_DIFFERENCES].sort());
    // Where edge-balancer differs it refuses (or, for hop-by-hop headers, forwards less), never the reverse.
    for (const r of result.cases.filter((c) => EXPECTED_DIFFERENCES.includes(c.case.name))) {
      expect(r.edge.reached.length, r.case.name).toBeLessThanOrEqual(r.haproxy.reached.length);
    }
  });

  it("no hop-by-hop header, nor one the client named in Connection, reaches a server; the proxy's X-Forwarded-For always does", () => {
    const all = forwarded();
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter(({ seen }) => seen.hopByHop.length > 0)).toEqual([]);
    expect(all.filter(({ seen }) => seen.forwardedFor.join() !== '127.0.0.1')).toEqual([]);
  });

  it('cookie values pick only configured servers and inject no header line', () => {
    const cookies = forwarded('cookie');
    expect(cookies.length).toBeGreaterThan(8);
    for (const { name, seen } of cookies) {
      expect(HOSTILE_BACKENDS, name).toContain(seen.server);
      expect(seen.injected, name).toBe(false);
    }
    // Unknown servers are balanced normally (`balance first`: the first server), never an error.
    const served = (name: string) => result.cases.find((r) => r.case.name === name)!.edge;
    for (const name of ['unknown server SERVERNAME=s9', 'SERVERNAME=../s2', 'prefix mode, unknown prefix JSESSIONID=p9~abc', 'prefix mode, JSESSIONID=../p2~abc']) {
      expect(served(name).answer, name).toBe(200);
      expect(served(name).reached.map((r) => r.server), name).toEqual([name.startsWith('prefix') ? 'p1' : 's1']);
    }
  });

  it('generated requests: each answered or closed, none hung, and the balancer still serves', () => {
    expect(result.fuzz.tried).toBe(100);
    expect(result.fuzz.hungExamples).toEqual([]);
    expect(result.fuzz.answered + result.fuzz.closed).toBe(100);
    expect(result.fuzz.crashes).toBe(0);
  });
});
