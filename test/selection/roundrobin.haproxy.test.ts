/**
 * Oracle test: the order in which the real haproxy 2.6 sends sequential
 * requests to servers with `balance roundrobin` and `balance static-rr` must
 * be the order our selectors produce for the same configuration. Each
 * `listen` section below is one scenario; servers answer with their name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BalanceAlgorithm } from '../../src/config/types.ts';
import { createSelector } from '../../src/selection/index.ts';
import { startEchoBackend, type EchoBackend } from '../helpers/echo-backend.ts';
import { requireHaproxy, startHaproxy, type RunningHaproxy } from '../helpers/haproxy.ts';
import { send } from '../helpers/http-client.ts';
import { freePorts } from '../helpers/ports.ts';
import { backendOf, configuredView, names, type MutableView, type ServerSpec } from './fixtures.ts';

interface Scenario {
  readonly title: string;
  readonly balance: BalanceAlgorithm;
  readonly servers: readonly ServerSpec[];
  readonly allBackups?: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { title: 'roundrobin 3/1/2', balance: 'roundrobin', servers: w([3, 1, 2]) },
  { title: 'roundrobin 5/2/1/1', balance: 'roundrobin', servers: w([5, 2, 1, 1]) },
  { title: 'roundrobin 1/1/1', balance: 'roundrobin', servers: w([1, 1, 1]) },
  { title: 'roundrobin 1/2/3/4', balance: 'roundrobin', servers: w([1, 2, 3, 4]) },
  { title: 'roundrobin 8/8/8/3 (not exact per cycle)', balance: 'roundrobin', servers: w([8, 8, 8, 3]) },
  { title: 'roundrobin 13/7/2', balance: 'roundrobin', servers: w([13, 7, 2]) },
  { title: 'roundrobin 7/0/1/3 (a weight-0 server gets nothing)', balance: 'roundrobin', servers: w([7, 0, 1, 3]) },
  {
    title: 'roundrobin with a backup (actives up: backup idle)',
    balance: 'roundrobin',
    servers: [...w([2, 1]), { name: 'b1', backup: true }],
  },
  {
    title: 'roundrobin, actives disabled: only the first backup',
    balance: 'roundrobin',
    servers: [
      { name: 's1', disabled: true },
      { name: 'b1', backup: true, weight: 1 },
      { name: 'b2', backup: true, weight: 3 },
    ],
  },
  {
    title: 'roundrobin, actives disabled, allbackups 3/1/2',
    balance: 'roundrobin',
    allBackups: true,
    servers: [
      { name: 's1', disabled: true },
      { name: 'b1', backup: true, weight: 3 },
      { name: 'b2', backup: true, weight: 1 },
      { name: 'b3', backup: true, weight: 2 },
    ],
  },
  { title: 'static-rr 3/1/2', balance: 'static-rr', servers: w([3, 1, 2]) },
  { title: 'static-rr 5/2/1/1', balance: 'static-rr', servers: w([5, 2, 1, 1]) },
  { title: 'static-rr 4/6/2 (GCD 2)', balance: 'static-rr', servers: w([4, 6, 2]) },
  { title: 'static-rr 8/8/8/3', balance: 'static-rr', servers: w([8, 8, 8, 3]) },
  {
    title: 'static-rr, actives disabled, backups 2/3 without allbackups',
    balance: 'static-rr',
    servers: [
      { name: 's1', disabled: true },
      { name: 'b1', backup: true, weight: 2 },
      { name: 'b2', backup: true, weight: 3 },
    ],
  },
];

function w(weights: readonly number[]): ServerSpec[] {
  return weights.map((weight, i) => ({ name: `s${i + 1}`, weight }));
}

/**
 * Run-time changes through haproxy's admin socket (`set server … state`,
 * `set weight`), each followed by a number of requests: the same path as a
 * health transition (srv_update_status → the LB's update hooks).
 */
interface Change {
  readonly command: string;
  readonly apply: (view: MutableView) => void;
  readonly requests: number;
}
interface DynamicScenario {
  readonly name: string;
  readonly servers: readonly ServerSpec[];
  readonly changes: readonly Change[];
}
const DYNAMIC: readonly DynamicScenario[] = [
  {
    name: 'dyn',
    servers: [...w([3, 1, 2]), { name: 'b1', backup: true }],
    changes: [
      { command: '', apply: () => {}, requests: 4 },
      { command: 'set server dyn/s1 state maint', apply: (v) => (v.usable[0] = false), requests: 5 },
      { command: 'set server dyn/s1 state ready', apply: (v) => (v.usable[0] = true), requests: 7 },
      { command: 'set weight dyn/s2 4', apply: (v) => (v.weights[1] = 4), requests: 11 },
      { command: 'set weight dyn/s3 0', apply: (v) => (v.weights[2] = 0), requests: 6 },
      { command: 'set server dyn/s1 state maint', apply: (v) => (v.usable[0] = false), requests: 1 },
      { command: 'set server dyn/s2 state drain', apply: (v) => (v.usable[1] = false), requests: 2 },
      { command: 'set weight dyn/s3 2', apply: (v) => (v.weights[2] = 2), requests: 4 },
      { command: 'set server dyn/s2 state ready', apply: (v) => (v.usable[1] = true), requests: 6 },
      { command: 'set server dyn/s1 state ready', apply: (v) => (v.usable[0] = true), requests: 14 },
    ],
  },
  {
    // Found by the property test: a server back from weight 0 while the window
    // is still the old, larger one waits for that window to end.
    name: 'dyn2',
    servers: w([1, 7]),
    changes: [
      { command: '', apply: () => {}, requests: 8 },
      { command: 'set weight dyn2/s2 0', apply: (v) => (v.weights[1] = 0), requests: 1 },
      { command: 'set weight dyn2/s2 1', apply: (v) => (v.weights[1] = 1), requests: 20 },
      { command: 'set server dyn2/s1 state maint', apply: (v) => (v.usable[0] = false), requests: 3 },
      { command: 'set weight dyn2/s2 5', apply: (v) => (v.weights[1] = 5), requests: 2 },
      { command: 'set server dyn2/s1 state ready', apply: (v) => (v.usable[0] = true), requests: 20 },
    ],
  },
  {
    // Found by the property test: weights 1/1/1 dropped to 0 one by one, then
    // s1 back at weight 2. haproxy serves s1 alone for a long run before
    // interleaving with s3 again.
    name: 'dyn3',
    servers: w([1, 1, 1]),
    changes: [
      { command: 'set weight dyn3/s1 0', apply: (v) => (v.weights[0] = 0), requests: 2 },
      { command: 'set weight dyn3/s2 0', apply: (v) => (v.weights[1] = 0), requests: 4 },
      { command: 'set weight dyn3/s1 1', apply: (v) => (v.weights[0] = 1), requests: 3 },
      { command: 'set weight dyn3/s1 0', apply: (v) => (v.weights[0] = 0), requests: 5 },
      { command: 'set weight dyn3/s1 2', apply: (v) => (v.weights[0] = 2), requests: 60 },
    ],
  },
  {
    // Found by the property test too: 5/0/1 after these changes serves s1 75
    // times in a row before interleaving s3.
    name: 'dyn4',
    servers: w([1, 3, 7]),
    changes: [
      { command: 'set weight dyn4/s1 0', apply: (v) => (v.weights[0] = 0), requests: 5 },
      { command: 'set weight dyn4/s3 1', apply: (v) => (v.weights[2] = 1), requests: 4 },
      { command: 'set weight dyn4/s2 0', apply: (v) => (v.weights[1] = 0), requests: 3 },
      { command: 'set weight dyn4/s1 5', apply: (v) => (v.weights[0] = 5), requests: 120 },
    ],
  },
];

const SERVER_NAMES = [...new Set([...SCENARIOS, ...DYNAMIC].flatMap((s) => s.servers.map((x) => x.name)))];

describe('selection order matches haproxy 2.6', () => {
  let haproxy: RunningHaproxy | undefined;
  const backends = new Map<string, EchoBackend>();
  let ports: number[] = [];
  const socketDir = mkdtempSync(join(tmpdir(), 'edge-balancer-rr-'));
  const adminSocket = join(socketDir, 'admin.sock');

  beforeAll(async () => {
    requireHaproxy();
    for (const name of SERVER_NAMES) backends.set(name, await startEchoBackend(name));
    ports = await freePorts(SCENARIOS.length + DYNAMIC.length);
    haproxy = await startHaproxy(configText(ports), ports);
  });

  afterAll(async () => {
    await haproxy?.close();
    await Promise.all([...backends.values()].map((b) => b.close()));
    rmSync(socketDir, { recursive: true, force: true });
  });

  function serverLine(s: ServerSpec): string {
    return (
      `  server ${s.name} 127.0.0.1:${backends.get(s.name)!.port} weight ${s.weight ?? 1}` +
      `${s.backup ? ' backup' : ''}${s.disabled ? ' disabled' : ''}`
    );
  }

  function configText(listenPorts: readonly number[]): string {
    const dynamic = DYNAMIC.map((scenario, i) =>
      [
        `listen ${scenario.name}`,
        `  bind 127.0.0.1:${listenPorts[SCENARIOS.length + i]}`,
        '  balance roundrobin',
        ...scenario.servers.map(serverLine),
      ].join('\n'),
    );
    const sections = SCENARIOS.map((scenario, i) => {
      const lines = [
        `listen sc${i}`,
        `  bind 127.0.0.1:${listenPorts[i]}`,
        `  balance ${scenario.balance}`,
        ...(scenario.allBackups ? ['  option allbackups'] : []),
        ...scenario.servers.map(serverLine),
      ];
      return lines.join('\n');
    });
    return [
      'global',
      '  maxconn 200',
      `  stats socket ${adminSocket} level admin`,
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 5s',
      '  timeout server 5s',
      ...sections,
      ...dynamic,
      '',
    ].join('\n');
  }

  SCENARIOS.forEach((scenario, i) => {
    it(scenario.title, async () => {
      const backend = backendOf(scenario.balance, scenario.servers, scenario.allBackups ?? false);
      const cycle = Math.max(1, backend.servers.reduce((sum, s) => sum + (s.disabled ? 0 : s.weight), 0));
      const count = 2 * cycle + 1;

      const observed: string[] = [];
      for (let n = 0; n < count; n++) observed.push(await servedBy(ports[i]!));

      const selector = createSelector(backend);
      expect(names(selector, backend, configuredView(backend), count)).toEqual(observed);
    });
  });

  DYNAMIC.forEach((scenario, i) => {
    it(`follows run-time state and weight changes like haproxy (${scenario.name})`, async () => {
      const backend = backendOf('roundrobin', scenario.servers);
      const selector = createSelector(backend);
      const view = configuredView(backend);
      const port = ports[SCENARIOS.length + i]!;
      for (const change of scenario.changes) {
        if (change.command) expect(await adminCommand(adminSocket, change.command)).toBe('');
        change.apply(view);
        const observed: string[] = [];
        for (let n = 0; n < change.requests; n++) observed.push(await servedBy(port));
        expect({ after: change.command, order: names(selector, backend, view, change.requests) }).toEqual({
          after: change.command,
          order: observed,
        });
      }
    });
  });
});

async function servedBy(port: number): Promise<string> {
  const response = await send(port, '/', { headers: [['Host', 'oracle.test']] });
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { server: string }).server;
}

/** One command on haproxy's admin socket; resolves with its answer (empty when it succeeded silently). */
function adminCommand(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.once('error', reject);
    socket.once('end', () => resolve(answer.trim()));
    socket.write(`${command}\n`);
  });
}
