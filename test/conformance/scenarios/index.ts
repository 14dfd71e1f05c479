/** Every conformance scenario, in the order of the README's matrix. */
import type { Scenario } from '../scenario.ts';
import { BALANCING_SCENARIOS } from './balancing.ts';
import { CONFIG_ERROR_SCENARIOS } from './config-errors.ts';
import { COMPRESSION_SCENARIOS } from './compression.ts';
import { CONTENT_CODING_SCENARIOS } from './content-coding.ts';
import { COOKIE_SCENARIOS } from './cookies.ts';
import { FAILURE_SCENARIOS } from './failures.ts';
import { RULES_SCENARIOS } from './rules.ts';
import { STATS_SCENARIOS } from './stats.ts';
import { WEBSOCKET_SCENARIOS } from './websocket.ts';

export const SCENARIOS: readonly Scenario[] = [
  ...COOKIE_SCENARIOS,
  ...BALANCING_SCENARIOS,
  ...FAILURE_SCENARIOS,
  ...STATS_SCENARIOS,
  ...CONTENT_CODING_SCENARIOS,
  ...COMPRESSION_SCENARIOS,
  ...WEBSOCKET_SCENARIOS,
  ...RULES_SCENARIOS,
  ...CONFIG_ERROR_SCENARIOS,
];
