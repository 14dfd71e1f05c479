/**
 * The options after a `bind` address (`ssl crt site.pem alpn h2,http/1.1 …`)
 * and `global ssl-default-bind-options`, read as HAProxy 2.6 reads them.
 * Certificate files are only named here: src/ does no I/O, so the runtime
 * adapter loads them and reports a broken one at the `bind` line.
 *
 * Versions follow HAProxy's ssl_sock_prepare_ctx(): `ssl-min-ver` /
 * `ssl-max-ver` and the `no-tlsvXX` flags (global ones and the bind's own)
 * all disable versions; the listener accepts from the lowest version left to
 * the highest. The default minimum is TLSv1.2, as in HAProxy 2.6.
 */
import { fail, notice, type DirectiveContext } from './directive-context.ts';
import { closestMatch } from './suggest.ts';
import { FORCE_VERSION, NO_VERSION, TLS_VERSIONS as VERSIONS } from './tls-versions.ts';
import type { BindTls, ConfiguredPath, GlobalSettings, SourceLocation, SslDefaultBind, TlsVersion } from './types.ts';

/** Versions OpenSSL 3 can still speak, lowest first (SSLv3 is compiled out). */
const VERSION_WORDS: readonly TlsVersion[] = ['SSLv3', ...VERSIONS];

/** Options taking no argument that edge-balancer acts on. */
const FLAGS = ['ssl', 'strict-sni', 'no-tls-tickets', 'prefer-client-ciphers', ...Object.keys(NO_VERSION), ...Object.keys(FORCE_VERSION)];
/** Options taking one argument that edge-balancer acts on. */
const WITH_ARGUMENT = ['crt', 'crt-list', 'alpn', 'ssl-min-ver', 'ssl-max-ver', 'ciphers', 'ciphersuites', 'curves', 'ecdhe', 'name'];
/** HAProxy 2.6 bind keywords edge-balancer does not implement: refused by name, not as unknown. */
const NOT_SUPPORTED = [
  'accept-netscaler-cip', 'accept-proxy', 'allow-0rtt', 'backlog', 'ca-file', 'ca-ignore-err', 'ca-sign-file', 'ca-sign-pass',
  'ca-verify-file', 'client-sigalgs', 'crl-file', 'crt-ignore-err', 'defer-accept', 'expose-fd', 'generate-certificates', 'gid',
  'group', 'id', 'interface', 'level', 'maxconn', 'mode', 'mss', 'namespace', 'nice', 'no-ca-names', 'npn', 'process', 'proto',
  'severity-output', 'sigalgs', 'ssl-ignore-err', 'tcp-ut', 'tfo', 'thread', 'transparent', 'uid', 'user', 'v4v6', 'v6only', 'verify',
  'quic-force-retry',
];
/** What `ssl-default-bind-options` may hold (HAProxy: the version options, tickets and cipher order). */
const GLOBAL_OPTIONS = ['ssl-min-ver', 'ssl-max-ver', 'no-tls-tickets', 'prefer-client-ciphers', ...Object.keys(NO_VERSION), ...Object.keys(FORCE_VERSION)];

/** A bind's options as written, before the `global` defaults apply. */
export interface BindOptions {
  ssl: boolean;
  certificates: string[];
  certificateLists: string[];
  alpn?: string[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  disabled: Set<TlsVersion>;
  ciphers?: string;
  ciphersuites?: string;
  curves?: string;
  strictSni: boolean;
  noTlsTickets: boolean;
  preferClientCiphers: boolean;
  name?: string;
  readonly source: SourceLocation;
}

function emptyOptions(source: SourceLocation): BindOptions {
  return { ssl: false, certificates: [], certificateLists: [], disabled: new Set(), strictSni: false, noTlsTickets: false, preferClientCiphers: false, source };
}

/**
 * Reads `words` (the options after the address) into BindOptions; an unknown
 * or unsupported option is an error naming it, with the nearest valid word.
 */
export function parseBindOptions(ctx: DirectiveContext, words: readonly string[], directive = 'bind', allowed?: readonly string[]): BindOptions | undefined {
  const options = emptyOptions(ctx.at);
  let ok = true;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (allowed && !allowed.includes(word)) {
      const near = closestMatch(word, allowed);
      fail(ctx, directive, `'${word}' is not allowed here`, near ? `did you mean '${near}'?` : `expected one of ${allowed.join(', ')}`);
      ok = false;
      continue;
    }
    if (FLAGS.includes(word)) {
      applyFlag(options, word);
      continue;
    }
    if (WITH_ARGUMENT.includes(word)) {
      const value = words[++i];
      if (value === undefined) {
        fail(ctx, directive, `'${word}' : missing argument`, argumentHint(word));
        ok = false;
        continue;
      }
      if (!applyWithArgument(ctx, directive, options, word, value)) ok = false;
      continue;
    }
    ok = false;
    if (NOT_SUPPORTED.includes(word)) {
      fail(ctx, directive, `bind option '${word}' is not supported by edge-balancer`, `supported: ${[...WITH_ARGUMENT, ...FLAGS.filter((f) => !f.startsWith('force-') && !f.startsWith('no-tlsv'))].join(', ')}, no-tlsv1x`);
    } else {
      const near = closestMatch(word, [...FLAGS, ...WITH_ARGUMENT, ...NOT_SUPPORTED]);
      fail(ctx, directive, `unknown keyword '${word}'`, near ? `did you mean '${near}'?` : undefined);
    }
  }
  return ok ? options : undefined;
}

/** `global ssl-default-bind-options …`: read where it is written, applied to every TLS bind. */
export function parseDefaultBindOptions(ctx: DirectiveContext, words: readonly string[]): SslDefaultBind | undefined {
  const options = parseBindOptions(ctx, words, 'ssl-default-bind-options', GLOBAL_OPTIONS);
  if (!options) return undefined;
  return {
    ...(options.minVersion ? { minVersion: options.minVersion } : {}),
    ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
    disabled: [...options.disabled],
    noTlsTickets: options.noTlsTickets,
    preferClientCiphers: options.preferClientCiphers,
  };
}

function applyFlag(options: BindOptions, word: string): void {
  if (word === 'ssl') options.ssl = true;
  else if (word === 'strict-sni') options.strictSni = true;
  else if (word === 'no-tls-tickets') options.noTlsTickets = true;
  else if (word === 'prefer-client-ciphers') options.preferClientCiphers = true;
  else if (NO_VERSION[word]) options.disabled.add(NO_VERSION[word]);
  else if (FORCE_VERSION[word]) options.minVersion = options.maxVersion = FORCE_VERSION[word];
}

function applyWithArgument(ctx: DirectiveContext, directive: string, options: BindOptions, word: string, value: string): boolean {
  switch (word) {
    case 'crt':
      options.certificates.push(value);
      return true;
    case 'crt-list':
      options.certificateLists.push(value);
      return true;
    case 'alpn':
      // HAProxy sends the list as given; an empty protocol name is refused by OpenSSL.
      if (value.split(',').some((p) => p === '')) return fail(ctx, directive, `'alpn' : invalid protocol list '${value}'`, 'e.g. alpn h2,http/1.1') ?? false;
      options.alpn = value.split(',');
      return true;
    case 'ssl-min-ver':
    case 'ssl-max-ver': {
      if (!(VERSION_WORDS as readonly string[]).includes(value)) {
        const near = closestMatch(value, VERSION_WORDS);
        return fail(ctx, directive, `'${word}' : unknown version '${value}'`, `${near ? `did you mean '${near}'? ` : ''}expected one of ${VERSION_WORDS.join(', ')}`) ?? false;
      }
      if (word === 'ssl-min-ver') options.minVersion = value as TlsVersion;
      else options.maxVersion = value as TlsVersion;
      return true;
    }
    case 'ciphers':
      options.ciphers = value;
      return true;
    case 'ciphersuites':
      options.ciphersuites = value;
      return true;
    case 'curves':
    case 'ecdhe':
      options.curves = value;
      return true;
    case 'name':
      options.name = value;
      return true;
  }
  return false;
}

function argumentHint(word: string): string {
  const examples: Record<string, string> = {
    crt: 'crt /etc/haproxy/certs/site.pem (a PEM file or a directory of them)',
    'crt-list': 'crt-list /etc/haproxy/crt-list.txt',
    alpn: 'alpn h2,http/1.1',
    'ssl-min-ver': 'ssl-min-ver TLSv1.2',
    'ssl-max-ver': 'ssl-max-ver TLSv1.3',
  };
  return `e.g. ${examples[word] ?? `${word} VALUE`}`;
}

/**
 * The bind's TLS settings once the `global` defaults apply, or undefined for a
 * plain bind. Errors and notices go to `report` at the bind line.
 */
export function resolveBindTls(
  options: BindOptions,
  global: GlobalSettings,
  report: { error(at: SourceLocation, directive: string, problem: string, hint?: string): void; notice(at: SourceLocation, text: string): void },
): BindTls | undefined {
  const defaults = global.sslDefaultBind ?? {};
  const at = options.source;
  if (!options.ssl) {
    if (options.certificates.length + options.certificateLists.length > 0) {
      report.notice(at, "'crt' without 'ssl': the listener stays plain HTTP (as in HAProxy); add 'ssl' to terminate TLS");
    }
    return undefined;
  }
  if (options.certificates.length + options.certificateLists.length === 0) {
    report.error(at, 'bind', 'no SSL certificate specified for this bind', "use 'crt' (a PEM file or a directory) or 'crt-list'");
    return undefined;
  }
  const disabled = new Set([...(defaults.disabled ?? []), ...options.disabled]);
  const max = options.maxVersion ?? defaults.maxVersion;
  let min = options.minVersion ?? defaults.minVersion ?? 'TLSv1.2';
  if (options.minVersion === undefined && defaults.minVersion === undefined && max !== undefined && VERSION_WORDS.indexOf(max) < VERSION_WORDS.indexOf(min)) {
    // HAProxy 2.6 warns "Ambiguous configuration" and lowers the minimum.
    report.notice(at, `ssl-max-ver ${max} is lower than the default ssl-min-ver (TLSv1.2): the minimum becomes ${max}, as in HAProxy; set 'ssl-min-ver' to say so`);
    min = max;
  }
  const enabled = VERSIONS.filter(
    (v) => !disabled.has(v) && VERSION_WORDS.indexOf(v) >= VERSION_WORDS.indexOf(min) && (max === undefined || VERSION_WORDS.indexOf(v) <= VERSION_WORDS.indexOf(max)),
  );
  if (enabled.length === 0) {
    report.error(at, 'bind', 'all SSL/TLS versions are disabled', 'check ssl-min-ver, ssl-max-ver and the no-tlsvXX options');
    return undefined;
  }
  const minVersion = enabled[0]!;
  const maxVersion = enabled[enabled.length - 1]!;
  if (enabled.length !== VERSIONS.indexOf(maxVersion) - VERSIONS.indexOf(minVersion) + 1) {
    report.notice(at, `the enabled TLS versions have a hole: edge-balancer accepts every version from ${minVersion} to ${maxVersion}`);
  }
  const underCrtBase = (path: string): ConfiguredPath => ({ path: withBase(path, global.crtBase), source: at });
  const ciphers = options.ciphers ?? defaults.ciphers;
  const ciphersuites = options.ciphersuites ?? defaults.ciphersuites;
  return {
    certificates: options.certificates.map(underCrtBase),
    // HAProxy opens the crt-list file itself as written; crt-base is for the paths inside it.
    certificateLists: options.certificateLists.map((path) => ({ path, source: at })),
    ...(global.crtBase !== undefined && options.certificateLists.length > 0 ? { crtBase: global.crtBase } : {}),
    ...(options.alpn ? { alpn: options.alpn } : {}),
    minVersion,
    maxVersion,
    ...(ciphers !== undefined ? { ciphers } : {}),
    ...(ciphersuites !== undefined ? { ciphersuites } : {}),
    ...(options.curves !== undefined ? { curves: options.curves } : {}),
    strictSni: options.strictSni,
    noTlsTickets: options.noTlsTickets || (defaults.noTlsTickets ?? false),
    preferClientCiphers: options.preferClientCiphers || (defaults.preferClientCiphers ?? false),
    source: at,
  };
}

/**
 * A relative path under `crt-base` / `ca-base`, as HAProxy joins them:
 * absolute paths and `@…` names (`@system-ca`) stay as written.
 */
export function withBase(path: string, base: string | undefined): string {
  return base && !path.startsWith('/') && !path.startsWith('@') ? `${base.replace(/\/$/, '')}/${path}` : path;
}
