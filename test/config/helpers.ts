import { ConfigErrors, parseHaproxyConfig, type ConfigError, type ParsedConfig } from '../../src/config/index.ts';

/** The `defaults` most tests start from (all timeouts set, so no timeout notices). */
export const DEFAULTS = `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
`;

export function parse(text: string, options: { env?: Record<string, string | undefined>; readFile?: (path: string) => string } = {}): ParsedConfig {
  return parseHaproxyConfig([{ file: 'haproxy.cfg', text }], { env: options.env ?? {}, ...(options.readFile ? { readFile: options.readFile } : {}) });
}

/** The errors a config text is rejected with (fails the test if it is accepted). */
export function errorsOf(text: string, options: Parameters<typeof parse>[1] = {}): readonly ConfigError[] {
  try {
    parse(text, options);
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors;
    throw error;
  }
  throw new Error(`expected the configuration to be rejected:\n${text}`);
}

/** The single error of `text`. */
export function errorOf(text: string, options: Parameters<typeof parse>[1] = {}): ConfigError {
  const errors = errorsOf(text, options);
  if (errors.length !== 1) throw new Error(`expected one error, got ${errors.length}:\n${errors.map((e) => e.message).join('\n')}`);
  return errors[0]!;
}

/** A listen section on :8080 with one server, plus `lines` (indented). */
export function listenWith(...lines: string[]): string {
  return `${DEFAULTS}listen app
    bind :8080
${lines.map((l) => `    ${l}`).join('\n')}
    server s1 127.0.0.1:8081
`;
}
