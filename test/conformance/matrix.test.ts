/** The README matrix generator: one note per distinct reason, nothing outside the markers touched, no silent gaps. */
import { describe, expect, it } from 'vitest';
import { renderMatrix, replaceSection } from './matrix.ts';
import type { Outcome } from './outcome.ts';

const everywhere = (scenario: string, result: Outcome['result'] = 'passed'): Outcome[] =>
  ['Node', 'Deno', 'Workers', 'haproxy'].map((runtime) => ({ scenario, runtime, result }));

describe('conformance matrix', () => {
  it('marks each cell and numbers each distinct reason once', () => {
    const outcomes: Outcome[] = [
      ...everywhere('a'),
      ...everywhere('b').map((o) => (o.runtime === 'Workers' ? { ...o, result: 'not run' as const, differs: 'one address' } : o)),
      ...everywhere('c').map((o) => (o.runtime === 'Workers' ? { ...o, differs: 'one address' } : o.runtime === 'Deno' ? { ...o, result: 'failed' as const } : o)),
    ];
    const lines = renderMatrix(outcomes).split('\n');
    expect(lines).toContain('| a | ✓ | ✓ | ✓ | ✓ |');
    expect(lines).toContain('| b | ✓ | ✓ | – (1) | ✓ |');
    expect(lines).toContain('| c | ✓ | ✗ | ✓ (1) | ✓ |');
    expect(lines.filter((l) => l.startsWith('1. '))).toEqual(['1. One address.']);
  });

  it('refuses outcomes that miss a runtime (a filtered run)', () => {
    expect(() => renderMatrix(everywhere('a').slice(1))).toThrow(/no outcome for 'a' on Node/);
  });

  it('rewrites only the section between the markers', () => {
    const readme = 'intro\n<!-- conformance-matrix:start -->\nold\n<!-- conformance-matrix:end -->\nrest\n';
    expect(replaceSection(readme, 'new')).toBe('intro\n<!-- conformance-matrix:start -->\nnew\n<!-- conformance-matrix:end -->\nrest\n');
    expect(() => replaceSection('no markers', 'new')).toThrow(/no <!-- conformance-matrix:start -->/);
  });
});
