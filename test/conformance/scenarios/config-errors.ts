/** Configurations every runtime refuses, each error naming what is wrong. */
import { DEFAULTS, type Scenario } from '../scenario.ts';

export const CONFIG_ERROR_SCENARIOS: readonly Scenario[] = [
  {
    name: 'config error: a misspelt balance algorithm',
    backends: [],
    invalid: { mentions: 'roundrobin' },
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:8080
    balance roundrobn
    server s1 127.0.0.1:8081
`,
    steps: [],
  },
  {
    name: 'config error: a misspelt server keyword',
    backends: [],
    invalid: { mentions: 'wieght' },
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:8080
    server s1 127.0.0.1:8081 wieght 3
`,
    steps: [],
  },
  {
    name: 'config error: use_backend names no backend',
    backends: [],
    invalid: { mentions: 'api' },
    config: `${DEFAULTS}frontend web
    bind 127.0.0.1:8080
    use_backend api if { path_beg /api }
    default_backend app
backend app
    server s1 127.0.0.1:8081
`,
    steps: [],
  },
];
