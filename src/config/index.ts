/** The configuration loader's public API. */
export { parseHaproxyConfig, type ConfigFile, type ParseOptions, type ParsedConfig } from './parse-haproxy.ts';
export { configFromObject, readObjectConfig, type ObjectConfigOptions } from './from-object.ts';
export { ConfigError, ConfigErrors, type ConfigErrorDetails } from './errors.ts';
export { tokenizeLine, type TokenizeResult } from './tokenize.ts';
export { parseDuration, type DurationResult, type TimeUnit } from './duration.ts';
