/** Server selection: weighted round-robin and backup servers. */
import { DEFAULTS, type Scenario } from '../scenario.ts';

export const BALANCING_SCENARIOS: readonly Scenario[] = [
  {
    name: 'weights: interleaved round-robin',
    backends: ['s1', 's2', 's3'],
    config: `${DEFAULTS}listen app
    bind 127.0.0.1:\${PORT}
    balance roundrobin
    server s1 127.0.0.1:\${S1} weight 3
    server s2 127.0.0.1:\${S2} weight 1
    server s3 127.0.0.1:\${S3} weight 2
`,
    // HAProxy's order for 3/1/2, twice: interleaved, not in blocks.
    steps: ['s1', 's3', 's1', 's2', 's1', 's3', 's1', 's3', 's1', 's2', 's1', 's3'].map((servedBy) => ({ expect: { servedBy } })),
  },
  {
    name: 'backup: used only when no active server is left, the first one unless allbackups',
    backends: ['s1', 'b1', 'b2'],
    config: `${DEFAULTS}frontend web
    bind 127.0.0.1:\${PORT}
    use_backend standby if { path_beg /standby }
    use_backend spread if { path_beg /spread }
    default_backend live
backend live
    server s1 127.0.0.1:\${S1}
    server b1 127.0.0.1:\${S2} backup
backend standby
    server s1 127.0.0.1:\${S1} disabled
    server b1 127.0.0.1:\${S2} backup
    server b2 127.0.0.1:\${S3} backup
backend spread
    option allbackups
    server s1 127.0.0.1:\${S1} disabled
    server b1 127.0.0.1:\${S2} backup
    server b2 127.0.0.1:\${S3} backup
`,
    steps: [
      { expect: { servedBy: 's1' } },
      { expect: { servedBy: 's1' } },
      { path: '/standby', expect: { servedBy: 'b1' } },
      { path: '/standby', expect: { servedBy: 'b1' } },
      { path: '/spread', expect: { servedBy: 'b1' } },
      { path: '/spread', expect: { servedBy: 'b2' } },
    ],
  },
];
