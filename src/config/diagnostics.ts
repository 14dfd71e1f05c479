/**
 * Collects the errors and notices of one load, so that every problem is
 * reported at once (as `haproxy -c` does) instead of only the first.
 */
import { ConfigError } from './errors.ts';
import type { SourceLocation } from './types.ts';

export class Diagnostics {
  readonly errors: ConfigError[] = [];
  readonly notices: string[] = [];

  error(at: SourceLocation, directive: string, problem: string, hint?: string): void {
    this.errors.push(new ConfigError({ file: at.file, line: at.line, directive, problem, ...(hint ? { hint } : {}) }));
  }

  /** One line, `file:line: text`; for things HAProxy accepts but edge-balancer does not use, or HAProxy's warnings. */
  notice(at: SourceLocation, text: string): void {
    this.notices.push(at.line > 0 ? `${at.file}:${at.line}: ${text}` : `${at.file}: ${text}`);
  }
}
