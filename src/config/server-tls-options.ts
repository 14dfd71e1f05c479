/**
 * The TLS keywords of `server` and `default-server` lines (HTTPS to servers,
 * health checks over TLS) and of `global ssl-default-server-options`, as
 * HAProxy 2.6 reads them. A line only records what it says; the server line
 * is resolved at its end (`resolveServerTls`), where HAProxy's start-up checks
 * apply: `verify required` (the default) needs a `ca-file`, and the files
 * named must hold what they should. File contents are read through the
 * loader's `readFile` (the adapter's), as `errorfile` is.
 */
import { parseSampleExpr } from '../rules/sample-expression.ts';
import { withBase } from './bind-options.ts';
import type { SampleExpr } from '../rules/sample.ts';
import { fail, notice, type DirectiveContext } from './directive-context.ts';
import { expectedOneOf } from './suggest.ts';
import { NO_VERSION, TLS_VERSIONS as ORDER } from './tls-versions.ts';
import type { GlobalSettings, ServerTls, TlsProtocolSettings, TlsVersion } from './types.ts';

/** What `server`/`default-server` lines said about TLS, unresolved. */
export interface ServerTlsDraft {
  ssl?: boolean;
  checkSsl?: boolean;
  verify?: 'none' | 'required';
  caFile?: string;
  crtFile?: string;
  sni?: SampleExpr;
  verifyHost?: string;
  alpn?: readonly string[];
  checkSni?: string;
  protocol?: TlsProtocolSettings;
}

export const SERVER_TLS_KEYWORDS = [
  'ssl', 'no-ssl', 'check-ssl', 'no-check-ssl', 'verify', 'verifyhost', 'no-verifyhost', 'ca-file', 'crt', 'sni', 'alpn',
  'check-sni', 'ssl-min-ver', 'ssl-max-ver', 'ciphers', 'ciphersuites', 'no-sslv3', 'no-tlsv10', 'no-tlsv11', 'no-tlsv12',
  'no-tlsv13', 'no-tls-tickets', 'tls-tickets', 'ssl-reuse', 'no-ssl-reuse',
];

/** The versions a server connection may use, oldest first; SSLv3 is HAProxy's too, but no runtime here offers it. */
/** Keywords taking one word of text: where it goes, and what it is (for the error). */
const TEXT_OPTIONS = {
  verifyhost: ['verifyHost', 'a host name'],
  'check-sni': ['checkSni', 'a host name'],
  'ca-file': ['caFile', 'a file name'],
  crt: ['crtFile', 'a file name'],
} as const;

/** Accepted and without effect: session resumption is the runtime's. */
const NO_EFFECT = ['no-sslv3', 'no-tls-tickets', 'tls-tickets', 'ssl-reuse', 'no-ssl-reuse'];

/**
 * Applies `options[i]` when it is a TLS keyword. Returns the index of its
 * last word, `false` after recording an error, or `undefined` when the
 * keyword is not a TLS one.
 */
export function applyServerTlsOption(tls: ServerTlsDraft, options: readonly string[], i: number, ctx: DirectiveContext, directive: string): number | false | undefined {
  const keyword = options[i]!;
  const value = options[i + 1];
  const where = `${directive} ${keyword}`;
  const needsValue = (what: string): string | undefined => (value === undefined ? fail(ctx, where, `'${keyword}' expects ${what}`) : value);
  switch (keyword) {
    case 'ssl':
    case 'no-ssl':
      tls.ssl = keyword === 'ssl';
      return i;
    case 'check-ssl':
    case 'no-check-ssl':
      tls.checkSsl = keyword === 'check-ssl';
      return i;
    case 'verify':
      if (value !== 'none' && value !== 'required') {
        return fail(ctx, where, value === undefined ? "'verify' expects 'none' or 'required'" : `unknown verify method '${value}', only 'none' and 'required' are supported`) ?? false;
      }
      tls.verify = value;
      return i + 1;
    case 'verifyhost':
    case 'check-sni':
    case 'ca-file':
    case 'crt': {
      const [field, what] = TEXT_OPTIONS[keyword];
      const text = needsValue(what);
      if (text === undefined) return false;
      tls[field] = text;
      return i + 1;
    }
    case 'ciphers':
    case 'ciphersuites': {
      const text = needsValue('a cipher list');
      if (text === undefined) return false;
      tls.protocol = { ...tls.protocol, [keyword]: text };
      return i + 1;
    }
    case 'no-verifyhost':
      delete tls.verifyHost;
      return i;
    case 'sni': {
      if (value === undefined) return fail(ctx, where, 'missing sni expression', 'e.g. sni req.hdr(host)') ?? false;
      const parsed = parseSampleExpr(value, { phase: 'request', readFile: ctx.readFile });
      if (!parsed.ok) return fail(ctx, where, `error detected while parsing sni expression: ${parsed.problem}`, parsed.hint) ?? false;
      tls.sni = parsed.expr;
      return i + 1;
    }
    case 'alpn': {
      const text = needsValue('a protocol list, e.g. http/1.1');
      if (text === undefined) return false;
      const protocols = text.split(',').filter(Boolean);
      // edge-balancer writes HTTP/1.1 to servers: offering h2 alone would
      // make the server pick a protocol the balancer does not speak.
      const spoken = protocols.filter((p) => p === 'http/1.1' || p === 'http/1.0');
      if (spoken.length === 0) return fail(ctx, where, `'alpn ${text}': edge-balancer speaks HTTP/1.1 to servers`, 'use alpn http/1.1, or leave alpn out') ?? false;
      if (spoken.length < protocols.length) notice(ctx, `'${where} ${text}': only ${spoken.join(',')} is offered; edge-balancer speaks HTTP/1.1 to servers`);
      tls.alpn = spoken;
      return i + 1;
    }
  }
  const protocol = applyTlsProtocolOption(tls.protocol ?? {}, options, i, ctx, directive);
  if (protocol === undefined) return undefined;
  if (protocol === false) return false;
  tls.protocol = protocol.settings;
  return protocol.last;
}

/**
 * `ssl-min-ver`, `ssl-max-ver`, `no-tlsv1x` and the keywords without effect,
 * shared by server lines and `ssl-default-server-options`.
 */
export function applyTlsProtocolOption(
  settings: TlsProtocolSettings,
  options: readonly string[],
  i: number,
  ctx: DirectiveContext,
  directive: string,
): { settings: TlsProtocolSettings; last: number } | false | undefined {
  const keyword = options[i]!;
  const where = `${directive} ${keyword}`;
  if (keyword === 'ssl-min-ver' || keyword === 'ssl-max-ver') {
    const value = options[i + 1];
    const version = ORDER.find((v) => v === value);
    if (version === undefined) {
      if (value === 'SSLv3') return fail(ctx, where, "'SSLv3' is not offered by edge-balancer's runtimes", 'use TLSv1.0 or later') ?? false;
      return fail(ctx, where, value === undefined ? 'missing ssl/tls version' : `'${value}': unknown ssl/tls version`, expectedOneOf(value ?? '', ORDER)) ?? false;
    }
    return { settings: { ...settings, [keyword === 'ssl-min-ver' ? 'minVersion' : 'maxVersion']: version }, last: i + 1 };
  }
  const disabled = NO_VERSION[keyword];
  if (disabled) {
    // A runtime takes a range of versions: dropping one at either end of it works, a hole does not.
    const min = ORDER.indexOf(settings.minVersion ?? 'TLSv1.0');
    const max = ORDER.indexOf(settings.maxVersion ?? 'TLSv1.3');
    const at = ORDER.indexOf(disabled);
    if (at === min && min < max) return { settings: { ...settings, minVersion: ORDER[min + 1]! }, last: i };
    if (at === max && min < max) return { settings: { ...settings, maxVersion: ORDER[max - 1]! }, last: i };
    if (at < min || at > max) return { settings, last: i };
    return fail(ctx, where, `'${keyword}' would leave no version or a gap in the range`, 'use ssl-min-ver and ssl-max-ver') ?? false;
  }
  if (NO_EFFECT.includes(keyword)) return { settings, last: i };
  return undefined;
}

/**
 * The final TLS settings of one server line, or undefined when it uses no
 * TLS (or after recording an error). `port`/`addr` move the check elsewhere,
 * so `ssl` alone no longer implies a TLS check (HAProxy's `ssl` keyword).
 */
export function resolveServerTls(
  draft: ServerTlsDraft,
  checkElsewhere: boolean,
  global: GlobalSettings | undefined,
  ctx: DirectiveContext,
  label: string,
): { traffic?: ServerTls; check?: ServerTls } | undefined {
  const traffic = draft.ssl === true;
  const check = draft.checkSsl ?? (traffic && !checkElsewhere);
  if (!traffic && !check) return {};
  const verify = (draft.verify ?? global?.sslServerVerify ?? 'required') === 'required';
  if (verify && draft.caFile === undefined) {
    return fail(
      ctx,
      'server',
      `'${label}': verify is enabled by default but no CA file specified`,
      "if you trust the server's certificate, set 'verify none' on the 'server' line, or 'ssl-server-verify none' in the global section",
    );
  }
  const caFile = draft.caFile === undefined ? undefined : withBase(draft.caFile, global?.caBase);
  const crtFile = draft.crtFile === undefined ? undefined : withBase(draft.crtFile, global?.crtBase);
  const ca = caFile === undefined || caFile === '@system-ca' ? undefined : readPem(ctx, label, 'ca-file', caFile, CERTIFICATE, 'no certificate or crl found');
  const crt = crtFile === undefined ? undefined : readPem(ctx, label, 'crt', crtFile, PRIVATE_KEY, 'no private key found');
  if (ca === false || crt === false) return undefined;
  if (crt !== undefined && !CERTIFICATE.test(crt)) return fail(ctx, 'server', `'${label}': no certificate found in '${crtFile}'`);
  const tls: ServerTls = {
    ...global?.sslDefaultServer,
    ...draft.protocol,
    verify,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(crtFile !== undefined ? { crtFile } : {}),
    ...(crt !== undefined ? { crt } : {}),
    ...(draft.sni ? { sni: draft.sni } : {}),
    ...(draft.verifyHost !== undefined ? { verifyHost: draft.verifyHost } : {}),
    ...(draft.alpn ? { alpn: draft.alpn } : {}),
    ...(draft.checkSni !== undefined ? { checkSni: draft.checkSni } : {}),
  };
  return { ...(traffic ? { traffic: tls } : {}), ...(check ? { check: tls } : {}) };
}

const CERTIFICATE = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----|-----BEGIN X509 CRL-----/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/**
 * A PEM file's text; `undefined` when the loader reads no files (Workers,
 * whose platform verifies with its own roots), `false` after an error.
 */
function readPem(ctx: DirectiveContext, label: string, keyword: string, path: string, expected: RegExp, missing: string): string | false | undefined {
  if (!ctx.readFile) return undefined;
  let text: string;
  try {
    text = ctx.readFile(path);
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'No such file or directory' : error instanceof Error ? error.message : String(error);
    return fail(ctx, `server ${keyword}`, `'${label}': couldn't open the ${keyword} '${path}' (${reason})`) ?? false;
  }
  if (!expected.test(text)) return fail(ctx, `server ${keyword}`, `'${label}': couldn't load the ${keyword} '${path}' (${missing})`, 'expected a PEM file') ?? false;
  return text;
}
