/** `--threads N` on the command line: HAProxy's `nbthread` range, and only where the command has workers (Node). */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../adapters/command/command-line.ts';

const NODE = { invocation: 'edge-balancer', demo: true, reload: true, threads: true };
const DENO = { invocation: 'deno task start', demo: false, reload: false };

describe('--threads', () => {
  it('takes 1 to 64 and leaves it unset when not given (the configuration or the CPUs decide)', () => {
    expect(parseCommandLine(['-f', 'a.cfg', '--threads', '4'], NODE)).toMatchObject({ action: 'serve', threads: 4 });
    expect(parseCommandLine(['-f', 'a.cfg', '--threads', '1'], NODE)).toMatchObject({ action: 'serve', threads: 1 });
    expect(parseCommandLine(['-f', 'a.cfg'], NODE)).not.toHaveProperty('threads');
  });

  it('refuses what nbthread refuses, with the usage', () => {
    for (const value of ['0', '65', '1.5', 'two']) {
      expect(parseCommandLine(['-f', 'a.cfg', '--threads', value], NODE)).toEqual({
        action: 'usage-error',
        message: `--threads must be an integer from 1 to 64 (as nbthread), not '${value}'`,
      });
    }
  });

  it('is not a flag of the Deno command, which serves from one process', () => {
    expect(parseCommandLine(['-f', 'a.cfg', '--threads', '2'], DENO)).toMatchObject({ action: 'usage-error' });
  });
});
