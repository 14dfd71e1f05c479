/**
 * Samples as HAProxy types them (section 7.3 of its manual): what fetches
 * return, what converters take and give, and what ACL matching compares.
 */
import type { HttpTransaction, VarValue } from './transaction.ts';

/** `str`, `int`, `bool`, `ip` (an address kept as text), or `any` (`var()`: typed by its value). */
export type SampleType = 'str' | 'int' | 'bool' | 'ip' | 'any';

export interface Sample {
  readonly type: Exclude<SampleType, 'any'>;
  readonly value: VarValue;
}

/** A compiled argument of a fetch or converter: plain values, a regex, or a map file's entries. */
export type SampleArg = string | number | RegExp | MapTable;

/** A `map*` converter's file, read at load: entries in file order. */
export interface MapTable {
  readonly kind: 'map';
  readonly file: string;
  readonly entries: readonly (readonly [string, string])[];
  /** Exact-match index (`map`, `map_str`), first entry wins. */
  readonly exact: ReadonlyMap<string, string>;
}

export interface FetchCall {
  readonly name: string;
  readonly args: readonly SampleArg[];
}

export interface ConverterCall {
  readonly name: string;
  readonly args: readonly SampleArg[];
}

/** `fetch(args),conv1(args),conv2`, parsed and checked at load. */
export interface SampleExpr {
  /** As written, for messages. */
  readonly text: string;
  readonly fetch: FetchCall;
  readonly converters: readonly ConverterCall[];
  /** The type the expression produces (the last converter's, else the fetch's). */
  readonly type: SampleType;
}

/** What rules need from outside the transaction, given by the admission step. */
export interface RuleEnvironment {
  /** `nbsrv(BACKEND)`: usable servers of a backend. */
  readonly usableServers?: (backend: string) => number;
  /** `env(NAME)`: the runtime's environment, read when the rule runs (as HAProxy's `getenv()`). */
  readonly environment?: (name: string) => string | undefined;
  /** `sess.` and `proc.` variables; `txn.`/`req.`/`res.` live in the transaction. */
  readonly sessionVars?: Map<string, VarValue>;
  readonly processVars?: Map<string, VarValue>;
  /** `http_auth(USERLIST)`: checks credentials against a `userlist` section. */
  readonly checkCredentials?: (userlist: string, user: string, password: string) => { ok: boolean; groups: readonly string[] };
  /** `%t`, `%Ts`, `date()`: ms since the epoch. */
  readonly now?: () => number;
  /** The proxy's page for `deny`/`auth`/`tarpit` (its `errorfile`s); HAProxy's built-in page without it. */
  readonly errorPage?: (status: number, txn: HttpTransaction) => { readonly status: number; readonly reason?: string; readonly headers: readonly (readonly [string, string])[]; readonly body: string } | undefined;
}

export interface SampleContext {
  readonly txn: HttpTransaction;
  readonly env: RuleEnvironment;
}

/** Text of a sample as it is inserted in a header or compared as a string. */
export function sampleText(sample: Sample): string {
  if (sample.type === 'bool') return sample.value ? '1' : '0';
  return String(sample.value);
}

/**
 * A sample as an integer, HAProxy's `c_str2int`: an optional sign and the
 * leading digits (`"12abc"` is 12); no digits at all fails.
 */
export function sampleInteger(sample: Sample): number | undefined {
  if (sample.type === 'int') return sample.value as number;
  if (sample.type === 'bool') return sample.value ? 1 : 0;
  const digits = /^[ \t]*([+-]?\d+)/.exec(String(sample.value));
  return digits ? Number(digits[1]) : undefined;
}

export const str = (value: string): Sample => ({ type: 'str', value });
export const int = (value: number): Sample => ({ type: 'int', value });
export const bool = (value: boolean): Sample => ({ type: 'bool', value });

/** A variable's value as a sample. */
export function varSample(value: VarValue): Sample {
  return typeof value === 'number' ? int(value) : typeof value === 'boolean' ? bool(value) : str(value);
}
