/**
 * The rule language through the admission step, on every runtime: the parts
 * of a tutorial configuration that need no TLS (issue 12).
 */
import { DEFAULTS, type Scenario } from '../scenario.ts';

const MONITOR_PAGE = '<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n';

export const RULES_SCENARIOS: readonly Scenario[] = [
  {
    name: 'rules: monitor-uri, redirect, switching, set-path, set-header, auth, prometheus-exporter, http-response',
    backends: ['s1', 's2'],
    config: `${DEFAULTS}userlist admins
    user alice insecure-password s3cret
frontend www
    bind 127.0.0.1:\${PORT}
    monitor-uri /health
    acl auth_ok http_auth(admins)
    http-request use-service prometheus-exporter if { path /metrics }
    http-request redirect prefix https://secure.example code 301 if { path_beg /secure }
    http-request auth realm Admin if { path_beg /admin } !auth_ok
    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
    http-response set-header X-Frame-Options DENY
    use_backend api if { path_beg /api/ }
    default_backend app
backend app
    server a1 127.0.0.1:\${S1}
backend api
    http-request set-path %[path,regsub(^/api,)]
    http-response set-header X-Frame-Options SAMEORIGIN
    http-response set-header X-Backend-Rule ran
    server p1 127.0.0.1:\${S2}
`,
    steps: [
      { path: '/health', expect: { status: 200, reachesBackend: false, body: MONITOR_PAGE, headers: { 'x-frame-options': null } } },
      { path: '/secure/x?y=1', expect: { status: 301, reachesBackend: false, headers: { location: 'https://secure.example/secure/x?y=1' } } },
      { path: '/', expect: { status: 200, servedBy: 's1', headers: { 'x-frame-options': 'DENY' }, backendHeaders: { 'x-forwarded-proto': ['http'] } } },
      { path: '/api/users', expect: { status: 200, servedBy: 's2', headers: { 'x-frame-options': 'DENY', 'x-backend-rule': 'ran' }, bodyMatches: [/"url":"\/users"/] } },
      { path: '/admin/', expect: { status: 401, reachesBackend: false, headers: { 'www-authenticate': 'Basic realm="Admin"' } } },
      { path: '/admin/', auth: 'alice:s3cret', expect: { status: 200, servedBy: 's1' } },
      { path: '/metrics', expect: { status: 200, reachesBackend: false, headers: { 'x-frame-options': 'DENY' }, bodyMatches: [/^haproxy_server_status\{/m] } },
    ],
  },
];
