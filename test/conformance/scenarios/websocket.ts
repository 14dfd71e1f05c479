/**
 * WebSockets (issue 13): the upgrade balanced and made sticky by the
 * persistence cookie, the 101 carrying `Set-Cookie` when the client had
 * none, the server seeing forwardfor and the indirect cookie removed, text
 * and binary messages, the subprotocol and the close handshake passed.
 */
import { DEFAULTS, type Scenario } from '../scenario.ts';

const ECHO = { messages: ['hello', new Uint8Array([0, 1, 2, 255]), 'x'.repeat(70_000)], close: [4001, 'bye'] as const };

export const WEBSOCKET_SCENARIOS: readonly Scenario[] = [
  {
    name: 'WebSocket: cookie insert on the 101, sticky upgrades, messages, subprotocol, close code',
    backends: ['s1', 's2'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    option forwardfor
    cookie SERVERNAME insert indirect nocache
    server s1 127.0.0.1:\${S1} cookie s1
    server s2 127.0.0.1:\${S2} cookie s2
`,
    steps: [
      {
        path: '/chat',
        webSocket: { ...ECHO, protocols: ['chat.v1', 'chat.v2'], protocol: 'chat.v2' },
        expect: { status: 101, servedBy: 's1', setCookie: ['SERVERNAME=s1; path=/'], backendHeaders: { 'x-forwarded-for': ['127.0.0.1'] } },
      },
      {
        path: '/chat',
        cookie: 'SERVERNAME=s2',
        webSocket: ECHO,
        expect: { status: 101, servedBy: 's2', setCookie: [], backendHeaders: { cookie: [] } },
      },
      {
        path: '/chat',
        cookie: 'theme=dark; SERVERNAME=s1',
        webSocket: { protocols: ['chat.v1'], protocol: 'chat.v1' },
        expect: { status: 101, servedBy: 's1', setCookie: [], backendHeaders: { cookie: ['theme=dark'] } },
      },
    ],
  },
];
