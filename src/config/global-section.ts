/**
 * The `global` section. Most process-level settings do not change how
 * edge-balancer works and are accepted with a notice; unknown keywords are
 * errors, as in HAProxy. `setenv`, `presetenv`, `unsetenv` and `resetenv` do
 * act: like HAProxy they change the environment seen by the lines after them.
 * `maxconn` and `ulimit-n` act too: they set the connection limits, and
 * `nbthread` sets how many worker processes the Node command runs.
 */
import { fail, noExtraWords, notice, readInteger, type DirectiveContext, type Env } from './directive-context.ts';
import { parseDefaultBindOptions } from './bind-options.ts';
import { applyTlsProtocolOption } from './server-tls-options.ts';
import { closestMatch } from './suggest.ts';
import type { GlobalSettings } from './types.ts';

export type GlobalDraft = { -readonly [K in keyof GlobalSettings]: GlobalSettings[K] };

const IGNORED = [
  'log', 'log-send-hostname', 'log-tag', 'maxcomprate', 'maxcompcpuusage', 'maxconnrate', 'maxsessrate', 'maxsslconn', 'maxsslrate', 'maxpipes',
  'daemon', 'master-worker', 'user', 'group', 'uid', 'gid', 'chroot', 'pidfile', 'cpu-map',
  'stats', 'ssl-dh-param-file',
  'tune', 'spread-checks', 'hard-stop-after', 'node', 'description', 'localpeer', 'quiet',
  'server-state-file', 'server-state-base', 'lua-load', 'insecure-fork-wanted', 'expose-experimental-directives',
  'h1-case-adjust', 'busy-polling', 'noepoll', 'nopoll', 'noreuseport', 'zero-warning', 'strict-limits', 'default-path',
  'grace', 'unix-bind', 'set-dumpable', 'max-spread-checks', 'external-check', 'pp2-never-send-local', 'httpclient.resolvers.disabled',
];
const ENV_KEYWORDS = ['setenv', 'presetenv', 'unsetenv', 'resetenv'];
const LIMIT_KEYWORDS: Record<string, 'maxconn' | 'ulimitN'> = { maxconn: 'maxconn', 'ulimit-n': 'ulimitN' };
/** Where relative certificate paths are, and the defaults of TLS binds and of TLS servers. */
const TLS_KEYWORDS = [
  'crt-base', 'ca-base', 'ssl-default-bind-options', 'ssl-default-bind-ciphers', 'ssl-default-bind-ciphersuites',
  'ssl-server-verify', 'ssl-default-server-options', 'ssl-default-server-ciphers', 'ssl-default-server-ciphersuites',
];

/** Applies one `global` line to `global`; returns the environment for the following lines. */
export function applyGlobalDirective(ctx: DirectiveContext, global: GlobalDraft): Env {
  const [keyword, ...args] = ctx.words as [string, ...string[]];
  switch (keyword) {
    case 'maxconn':
    case 'ulimit-n': {
      const value = readInteger(ctx, keyword, args[0], 0, 2_147_483_647);
      if (value === undefined || !noExtraWords(ctx, keyword, 2)) return ctx.env;
      const field = LIMIT_KEYWORDS[keyword]!;
      // HAProxy: "'maxconn' already specified. Continuing." (the first one stays).
      if (global[field] !== undefined) notice(ctx, `'${keyword}' already specified; the first value (${global[field]}) stays, as in HAProxy`);
      // 0 is HAProxy's "not set": computed from the descriptor limit.
      else if (value > 0) global[field] = value;
      return ctx.env;
    }
    case 'nbthread': {
      // HAProxy 2.6: "'nbthread' value must be between 1 and 64"; a repeated line replaces the value.
      const value = readInteger(ctx, keyword, args[0], 1, 64);
      if (value !== undefined && noExtraWords(ctx, keyword, 2)) global.nbthread = value;
      return ctx.env;
    }
    case 'setenv':
    case 'presetenv': {
      const [name, value] = args;
      if (name === undefined || value === undefined || args.length > 2) {
        fail(ctx, keyword, 'expects exactly 2 arguments', `e.g. ${keyword} BACKEND_PORT 8081`);
        return ctx.env;
      }
      if (keyword === 'presetenv' && ctx.env[name] !== undefined) return ctx.env;
      return { ...ctx.env, [name]: value };
    }
    case 'crt-base':
    case 'ca-base': {
      const [dir] = args;
      if (dir === undefined) fail(ctx, keyword, 'expects a directory path as an argument', `e.g. ${keyword} /etc/haproxy/${keyword === 'crt-base' ? 'certs' : 'ca'}`);
      else if (noExtraWords(ctx, keyword, 2)) {
        // HAProxy: "'crt-base' already specified." is an error.
        if (global[keyword === 'crt-base' ? 'crtBase' : 'caBase'] !== undefined) fail(ctx, keyword, `'${keyword}' already specified`);
        else global[keyword === 'crt-base' ? 'crtBase' : 'caBase'] = dir;
      }
      return ctx.env;
    }
    case 'ssl-default-bind-options': {
      const parsed = parseDefaultBindOptions(ctx, args);
      if (parsed) global.sslDefaultBind = { ...global.sslDefaultBind, ...parsed };
      return ctx.env;
    }
    case 'ssl-default-bind-ciphers':
    case 'ssl-default-bind-ciphersuites': {
      const [list] = args;
      if (list === undefined) fail(ctx, keyword, 'expects a cipher suite as an argument', `e.g. ${keyword} ${keyword.endsWith('suites') ? 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384' : 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256'}`);
      else if (noExtraWords(ctx, keyword, 2)) global.sslDefaultBind = { ...global.sslDefaultBind, [keyword.endsWith('suites') ? 'ciphersuites' : 'ciphers']: list };
      return ctx.env;
    }
    case 'unsetenv': {
      const env = { ...ctx.env };
      for (const name of args) delete env[name];
      return env;
    }
    case 'ssl-server-verify':
    case 'ssl-default-server-options':
    case 'ssl-default-server-ciphers':
    case 'ssl-default-server-ciphersuites':
      applyServerTlsGlobal(ctx, global);
      return ctx.env;
    case 'resetenv': {
      const env: Record<string, string | undefined> = {};
      for (const name of args) if (ctx.env[name] !== undefined) env[name] = ctx.env[name];
      return env;
    }
  }
  // `tune.bufsize`, `tune.ssl.default-dh-param`, … are one family.
  const family = keyword.startsWith('tune.') ? 'tune' : keyword;
  if (IGNORED.includes(family)) {
    const shown = keyword === 'stats' && args[0] ? `stats ${args[0]}` : keyword;
    notice(ctx, `'${shown}' is ignored (not needed by edge-balancer)`);
  } else {
    const suggestion = closestMatch(keyword, [...IGNORED.filter((k) => k !== 'tune'), ...ENV_KEYWORDS, ...TLS_KEYWORDS, ...Object.keys(LIMIT_KEYWORDS), 'nbthread']);
    fail(ctx, keyword, "unknown keyword in 'global' section", suggestion ? `did you mean '${suggestion}'?` : undefined);
  }
  return ctx.env;
}

/** The defaults of servers' TLS: verification, protocol versions and ciphers. */
function applyServerTlsGlobal(ctx: DirectiveContext, global: GlobalDraft): void {
  const [keyword, ...args] = ctx.words as [string, ...string[]];
  switch (keyword) {
    case 'ssl-server-verify':
      if (args[0] !== 'none' && args[0] !== 'required') return void fail(ctx, keyword, "expects 'none' or 'required' as argument");
      if (noExtraWords(ctx, keyword, 2)) global.sslServerVerify = args[0];
      return;
    case 'ssl-default-server-ciphers':
    case 'ssl-default-server-ciphersuites':
      if (args[0] === undefined) return void fail(ctx, keyword, 'expects a cipher list as argument');
      if (noExtraWords(ctx, keyword, 2)) global.sslDefaultServer = { ...global.sslDefaultServer, [keyword === 'ssl-default-server-ciphers' ? 'ciphers' : 'ciphersuites']: args[0] };
      return;
    case 'ssl-default-server-options': {
      let settings = global.sslDefaultServer ?? {};
      for (let i = 0; i < args.length; i++) {
        const applied = applyTlsProtocolOption(settings, args, i, ctx, keyword);
        if (applied === false) return;
        if (applied === undefined) {
          return void fail(ctx, keyword, `unknown or unsupported option '${args[i]}'`, 'edge-balancer reads ssl-min-ver, ssl-max-ver, no-tlsv1x, no-sslv3 and no-tls-tickets here');
        }
        settings = applied.settings;
        i = applied.last;
      }
      global.sslDefaultServer = settings;
      return;
    }
  }
}
