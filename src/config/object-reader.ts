/**
 * Typed reads from an untrusted plain object (parsed JSON), each recording an
 * error at its JSON path (`backends[0].servers[1].port`) instead of throwing,
 * so that one run reports every problem. Unknown keys are errors too: a typo
 * like `redispach` must not be silently ignored.
 */
import type { Diagnostics } from './diagnostics.ts';
import { durationFromValue } from './duration.ts';
import { closestMatch } from './suggest.ts';

export type Fields = Readonly<Record<string, unknown>>;

export class ObjectReader {
  constructor(
    readonly source: string,
    readonly diagnostics: Diagnostics,
  ) {}

  error(path: string, problem: string, hint?: string): undefined {
    this.diagnostics.error({ file: this.source, line: 0 }, path, problem, hint);
    return undefined;
  }

  /** A notice about the value at `path` (what HAProxy accepts and edge-balancer does not use, HAProxy's warnings). */
  notice(path: string, text: string): void {
    this.diagnostics.notice({ file: this.source, line: 0 }, `'${path}': ${text}`);
  }

  /** A plain object whose keys are all in `allowed`. */
  fields(value: unknown, path: string, allowed: readonly string[]): Fields | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.error(path, `expected an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const suggestion = closestMatch(key, allowed);
        this.error(join(path, key), `unknown field '${key}'`, suggestion ? `did you mean '${suggestion}'?` : `expected one of ${allowed.join(', ')}`);
      }
    }
    return value as Fields;
  }

  string(fields: Fields, key: string, path: string): string | undefined;
  string(fields: Fields, key: string, path: string, fallback: string): string;
  string(fields: Fields, key: string, path: string, fallback?: string): string | undefined {
    const value = fields[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') return this.error(join(path, key), `expected a string, got ${describe(value)}`) ?? fallback;
    return value;
  }

  requiredString(fields: Fields, key: string, path: string): string | undefined {
    if (fields[key] === undefined) return this.error(join(path, key), 'is required');
    const value = this.string(fields, key, path);
    return value === '' ? this.error(join(path, key), 'must not be empty') : value;
  }

  boolean(fields: Fields, key: string, path: string, fallback: boolean): boolean {
    const value = fields[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') return this.error(join(path, key), `expected true or false, got ${describe(value)}`) ?? fallback;
    return value;
  }

  integer(fields: Fields, key: string, path: string, min: number, max: number): number | undefined;
  integer(fields: Fields, key: string, path: string, min: number, max: number, fallback: number): number;
  integer(fields: Fields, key: string, path: string, min: number, max: number, fallback?: number): number | undefined {
    const value = fields[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.error(join(path, key), `expected an integer from ${min} to ${max}, got ${describe(value)}`) ?? fallback;
    }
    return value;
  }

  /** Milliseconds, or an HAProxy time string ("2s", "500ms", "1m"). */
  duration(fields: Fields, key: string, path: string): number | undefined {
    const value = fields[key];
    if (value === undefined) return undefined;
    const parsed = durationFromValue(value);
    return parsed.ok ? parsed.ms : this.error(join(path, key), parsed.problem);
  }

  oneOf<T extends string>(fields: Fields, key: string, path: string, choices: readonly T[], fallback: T): T {
    const value = fields[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      const suggestion = typeof value === 'string' ? closestMatch(value, choices) : undefined;
      return this.error(join(path, key), `unknown value ${JSON.stringify(value)}`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}expected one of ${choices.join(', ')}`) ?? fallback;
    }
    return value as T;
  }

  array<T>(fields: Fields, key: string, path: string, item: (value: unknown, path: string) => T | undefined): T[] {
    const value = fields[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) return this.error(join(path, key), `expected an array, got ${describe(value)}`) ?? [];
    return value.flatMap((element, index) => {
      const result = item(element, `${join(path, key)}[${index}]`);
      return result === undefined ? [] : [result];
    });
  }
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
