import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/index.ts';

const ms = (text: string, unit: 'ms' | 's' = 'ms') => {
  const result = parseDuration(text, unit);
  if (!result.ok) throw new Error(result.problem);
  return result.ms;
};
const problem = (text: string) => {
  const result = parseDuration(text);
  return result.ok ? undefined : result.problem;
};

describe('parseDuration (HAProxy parse_time_err)', () => {
  it('converts every unit to milliseconds; bare numbers are in the keyword unit', () => {
    expect(ms('1500')).toBe(1500);
    expect(ms('500ms')).toBe(500);
    expect(ms('2s')).toBe(2000);
    expect(ms('1m')).toBe(60_000);
    expect(ms('2h')).toBe(7_200_000);
    expect(ms('1d')).toBe(86_400_000);
    expect(ms('30', 's')).toBe(30_000);
    expect(ms('30m', 's')).toBe(1_800_000);
  });

  it('rounds up to the keyword unit, as HAProxy does', () => {
    expect(ms('1us')).toBe(1);
    expect(ms('1500us')).toBe(2);
    expect(ms('1500ms', 's')).toBe(2000);
  });

  it('rejects fractions, upper-case units, signs and overflow (haproxy -c does)', () => {
    expect(problem('1.5s')).toMatch(/unexpected character '\.'/);
    expect(problem('1S')).toMatch(/unexpected character 'S'/);
    expect(problem('-1')).toMatch(/unexpected character '-'/);
    expect(problem('')).toMatch(/missing/);
    expect(ms('24d')).toBe(2_073_600_000);
    expect(problem('25d')).toMatch(/timer overflow/);
    expect(problem('2147483648')).toMatch(/timer overflow/);
  });
});
