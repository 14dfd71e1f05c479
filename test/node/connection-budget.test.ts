/** How the Node adapter sizes maxconn from the configuration and the descriptors (pure). */
import { describe, expect, it } from 'vitest';
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { ASSUMED_DESCRIPTOR_LIMIT, planConnectionBudget, SPARE_DESCRIPTORS } from '../../adapters/node/connection-budget.ts';

const config = (global: string, extra = '') =>
  parseHaproxyConfig(
    [{ file: 't.cfg', text: `global\n${global}\ndefaults\n    mode http\nfrontend web\n    bind :80\n${extra}    default_backend app\nbackend app\n    server s1 127.0.0.1:1 check\n    server s2 127.0.0.1:2 check\n    server s3 127.0.0.1:3\n` }],
    { env: {} },
  ).config;

/** 20 open + 1 listener + 2 checked servers + the spare ones. */
const reserve = 20 + 1 + 2 + SPARE_DESCRIPTORS;

describe('planConnectionBudget', () => {
  it('without maxconn: two descriptors per connection within the limit, after the reserve (HAProxy: (limit - maxsock) / 2)', () => {
    const budget = planConnectionBudget(config(''), { limit: 100, open: 20 });
    expect(budget.global).toBe(Math.floor((100 - reserve) / 2));
    expect(budget.frontends.get('web')).toBe(budget.global);
    expect(budget.warnings).toEqual([]);
    expect(budget.note).toBe(`Note: setting global.maxconn to ${budget.global} (100 descriptors, ${reserve} reserved).`);
    expect(planConnectionBudget(config(''), { limit: 20000, open: 20 }).global).toBe(Math.floor((20000 - reserve) / 2));
  });

  it('a maxconn that fits is kept; one that does not is lowered with HAProxy\'s warning', () => {
    expect(planConnectionBudget(config('    maxconn 30'), { limit: 100, open: 20 })).toMatchObject({ global: 30, warnings: [] });
    const lowered = planConnectionBudget(config('    maxconn 500'), { limit: 100, open: 20 });
    expect(lowered.global).toBe(Math.floor((100 - reserve) / 2));
    expect(lowered.warnings).toEqual([
      `FD limit (100) too low for maxconn=500/maxsock=${1000 + reserve}. Please raise 'ulimit-n' to ${1000 + reserve} or more to avoid any trouble. ` +
        `maxconn ${lowered.global} is used instead, so that health checks and server connections keep their descriptors.`,
    ]);
  });

  it('ulimit-n below the limit is the budget; above it, HAProxy\'s "Cannot raise FD limit" and the real limit', () => {
    expect(planConnectionBudget(config('    ulimit-n 80'), { limit: 1000, open: 20 }).global).toBe(Math.floor((80 - reserve) / 2));
    const above = planConnectionBudget(config('    ulimit-n 5000'), { limit: 1000, open: 20 });
    expect(above.global).toBe(Math.floor((1000 - reserve) / 2));
    expect(above.warnings).toEqual(['Cannot raise FD limit to 5000, limit is 1000.']);
  });

  it('a frontend maxconn is its own limit, under the global one', () => {
    const budget = planConnectionBudget(config('    maxconn 40', '    maxconn 10\n'), { limit: 1000, open: 20 });
    expect(budget.global).toBe(40);
    expect(budget.frontends.get('web')).toBe(10);
  });

  it('an unknown limit (Windows) assumes the usual 1024 and keeps a configured maxconn as it is', () => {
    expect(planConnectionBudget(config(''), { limit: undefined, open: 20 }).global).toBe(Math.floor((ASSUMED_DESCRIPTOR_LIMIT - reserve) / 2));
    expect(planConnectionBudget(config('    maxconn 5000'), { limit: undefined, open: 20 })).toMatchObject({ global: 5000, warnings: [] });
  });

  it('never below one connection', () => {
    expect(planConnectionBudget(config(''), { limit: 30, open: 20 }).global).toBe(1);
  });
});
