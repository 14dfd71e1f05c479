/**
 * Configuration errors. Like `haproxy -c`, the loader reports every error it
 * finds in one run rather than stopping at the first, so each problem is a
 * `ConfigError` and a failed load throws one `ConfigErrors` holding them all.
 */

export interface ConfigErrorDetails {
  /** File name as given to the loader, or the source name of an object config. */
  readonly file: string;
  /** 1-based line; 0 for object configs, whose location is in `directive`. */
  readonly line: number;
  /** The directive (`balance`, `timeout connect`), or a JSON path for object configs. */
  readonly directive: string;
  /** What is wrong, e.g. `unknown algorithm 'roundrobn'`. */
  readonly problem: string;
  /** What would be valid, e.g. `expected one of roundrobin, static-rr`. */
  readonly hint?: string;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly line: number;
  readonly directive: string;
  readonly problem: string;
  readonly hint: string | undefined;

  constructor(details: ConfigErrorDetails) {
    super(formatConfigError(details));
    this.name = 'ConfigError';
    this.file = details.file;
    this.line = details.line;
    this.directive = details.directive;
    this.problem = details.problem;
    this.hint = details.hint;
  }
}

/** All errors of one load; `message` lists them one per line. */
export class ConfigErrors extends Error {
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[]) {
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    super(`${count} in configuration:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

/** `haproxy.cfg:12: 'balance': unknown algorithm 'roundrobn'; expected one of …` */
export function formatConfigError(details: ConfigErrorDetails): string {
  const where = details.line > 0 ? `${details.file}:${details.line}` : details.file;
  const what = details.directive ? ` '${details.directive}':` : '';
  const hint = details.hint ? `; ${details.hint}` : '';
  return `${where}:${what} ${details.problem}${hint}`;
}
