/**
 * The directives of `defaults`, `frontend`, `backend` and `listen` sections.
 * Placement follows HAProxy 2.6: `bind`, `server`, `use_backend` and `acl`
 * are errors in an anonymous `defaults` section; `server` in a frontend is an
 * error; other directives of the wrong side are ignored with HAProxy's warning
 * ("'balance' ignored because frontend 'f' has no backend capability").
 */
import { parseBindOptions } from './bind-options.ts';
import { parseBindAddresses, parseServerAddress } from './address.ts';
import { applyCompression } from './compression-directive.ts';
import { parseCookieDirective } from './cookie-directive.ts';
import { fail, noExtraWords, notice, readDuration, readInteger, type DirectiveContext } from './directive-context.ts';
import { readErrorFile } from './errorfile.ts';
import { applyHttpCheck } from './http-check-directive.ts';
import {
  BALANCE_ALGORITHMS,
  hasBackendCapability,
  hasFrontendCapability,
  serverFromSettings,
  setTimeoutValue,
  type ProxyDraft,
  type TimeoutsDraft,
} from './proxy-draft.ts';
import { ACL_NAME, parseAclTest } from '../rules/acl.ts';
import { ALWAYS, parseCondition } from '../rules/condition.ts';
import { applyRuleDirective, RULE_DIRECTIVES } from './rule-directives.ts';
import { ruleLoad } from './rule-load.ts';
import { applyServerOptions } from './server-options.ts';
import { resolveServerTls } from './server-tls-options.ts';
import { applyStatsDirective } from './stats-directive.ts';
import { expectedOneOf } from './suggest.ts';
import type { BalanceAlgorithm, ConnectionMode, ForwardFor } from './types.ts';

/** Algorithms HAProxy has and edge-balancer does not implement. */
const OTHER_HAPROXY_ALGORITHMS = ['source', 'uri', 'url_param', 'hdr', 'rdp-cookie', 'hash'];

const TIMEOUTS: Record<string, keyof TimeoutsDraft> = {
  client: 'client',
  server: 'server',
  connect: 'connect',
  check: 'check',
  'http-request': 'httpRequest',
  'http-keep-alive': 'httpKeepAlive',
  tunnel: 'tunnel',
  tarpit: 'tarpit',
};
const IGNORED_TIMEOUTS = ['queue', 'client-fin', 'server-fin'];

const CONNECTION_MODES: Record<string, ConnectionMode> = {
  httpclose: 'close',
  'http-server-close': 'server-close',
  'http-keep-alive': 'keep-alive',
};
const IGNORED_OPTIONS = [
  'httplog', 'dontlognull', 'tcplog', 'log-health-checks', 'dontlog-normal', 'logasap', 'log-separate-errors',
  'http-buffer-request', 'splice-auto', 'tcp-smart-accept', 'tcp-smart-connect', 'http-ignore-probes',
];
const OPTIONS = ['redispatch', 'allbackups', 'forwardfor', 'httpchk', 'prefer-last-server', 'abortonclose', 'http-no-delay', ...Object.keys(CONNECTION_MODES)];

/** Directives accepted and ignored, with a notice. */
const IGNORED_DIRECTIVES = ['log', 'log-format', 'fullconn', 'description', 'id', 'log-tag'];

export const PROXY_KEYWORDS = [
  'mode', 'bind', 'balance', 'server', 'default-server', 'cookie', 'option', 'no option', 'http-check', 'retries', 'timeout',
  'default_backend', 'use_backend', 'acl', 'errorfile', 'stats', 'maxconn', 'compression', 'load-server-state-from-file', ...RULE_DIRECTIVES,
];

const LEGACY_TIMEOUTS: Record<string, string> = { contimeout: 'timeout connect', srvtimeout: 'timeout server', clitimeout: 'timeout client' };

/** Applies one line to `draft`; problems go to `ctx.diagnostics`. */
export function applyProxyDirective(draft: ProxyDraft, ctx: DirectiveContext): void {
  const keyword = ctx.words[0]!;
  switch (keyword) {
    case 'mode':
      return applyMode(draft, ctx);
    case 'bind':
      return applyBind(draft, ctx);
    case 'balance':
      return applyBalance(draft, ctx);
    case 'server':
      return applyServer(draft, ctx);
    case 'default-server': {
      const settings = applyServerOptions(draft.defaultServer, ctx.words.slice(1), ctx, 'default-server');
      if (settings) draft.defaultServer = settings;
      return;
    }
    case 'cookie': {
      const cookie = parseCookieDirective(ctx);
      if (cookie && appliesToBackend(draft, ctx, 'cookie')) draft.cookie = { value: cookie, source: ctx.at };
      return;
    }
    case 'option':
      return applyOption(draft, ctx, false);
    case 'no':
      if (ctx.words[1] === 'option') return applyOption(draft, ctx, true);
      return void fail(ctx, 'no', `unknown keyword 'no ${ctx.words[1] ?? ''}'`, "only 'no option NAME' is supported");
    case 'http-check':
      return applyHttpCheck(draft, ctx, () => appliesToBackend(draft, ctx, 'http-check'));
    case 'retries': {
      const retries = readInteger(ctx, 'retries', ctx.words[1], 0, 2_147_483_647);
      if (retries !== undefined && noExtraWords(ctx, 'retries', 2) && appliesToBackend(draft, ctx, 'retries')) draft.retries = retries;
      return;
    }
    case 'timeout':
      return applyTimeout(draft, ctx);
    case 'maxconn': {
      // HAProxy: "'maxconn' ignored because backend 'b' has no frontend capability. Maybe you want 'fullconn' instead ?"
      const maxconn = readInteger(ctx, 'maxconn', ctx.words[1], 0, 2_147_483_647);
      if (maxconn === undefined || !noExtraWords(ctx, 'maxconn', 2)) return;
      if (hasFrontendCapability(draft.kind)) draft.maxconn = maxconn;
      else notice(ctx, `'maxconn' ignored because backend '${draft.name}' has no frontend capability (did you mean 'fullconn'? it is ignored too)`);
      return;
    }
    case 'default_backend': {
      const name = ctx.words[1];
      if (name === undefined) return void fail(ctx, 'default_backend', 'expects a backend name');
      if (noExtraWords(ctx, 'default_backend', 2) && appliesToFrontend(draft, ctx, 'default_backend')) draft.defaultBackend = { value: name, source: ctx.at };
      return;
    }
    case 'use_backend':
      return applyUseBackend(draft, ctx);
    case 'acl':
      return applyAcl(draft, ctx);
    case 'errorfile': {
      const errorFile = readErrorFile(ctx);
      if (!errorFile) return;
      if (draft.kind === 'frontend') {
        return notice(ctx, `'errorfile' in frontend '${draft.name}' is ignored: edge-balancer takes error pages from the backend (put it in the backend or in defaults)`);
      }
      // A later errorfile for the same status replaces the earlier (or inherited) one.
      draft.errorFiles = [...draft.errorFiles.filter((e) => e.status !== errorFile.status), errorFile];
      return;
    }
    case 'stats': {
      const stats = applyStatsDirective(draft.stats, ctx);
      if (stats) draft.stats = stats;
      return;
    }
    case 'compression':
      return applyCompression(draft, ctx);
    case 'load-server-state-from-file':
      return notice(ctx, "'load-server-state-from-file' is accepted: edge-balancer keeps no server-state file, servers start from the configuration");
    default:
      if (RULE_DIRECTIVES.includes(keyword)) return applyRuleDirective(draft, ctx);
      if (IGNORED_DIRECTIVES.includes(keyword)) return notice(ctx, `'${keyword}' is ignored (not needed by edge-balancer)`);
      if (Object.hasOwn(LEGACY_TIMEOUTS, keyword)) {
        return void fail(ctx, keyword, 'this keyword was removed from HAProxy', `use '${LEGACY_TIMEOUTS[keyword]}'`);
      }
      return void fail(ctx, keyword, `unknown keyword in '${draft.kind}' section`, expectedOneOf(keyword, PROXY_KEYWORDS, IGNORED_DIRECTIVES));
  }
}

function appliesToBackend(draft: ProxyDraft, ctx: DirectiveContext, directive: string): boolean {
  if (hasBackendCapability(draft.kind)) return true;
  notice(ctx, `'${directive}' ignored because frontend '${draft.name}' has no backend capability`);
  return false;
}

function appliesToFrontend(draft: ProxyDraft, ctx: DirectiveContext, directive: string): boolean {
  if (hasFrontendCapability(draft.kind)) return true;
  notice(ctx, `'${directive}' ignored because backend '${draft.name}' has no frontend capability`);
  return false;
}

function notInDefaults(draft: ProxyDraft, ctx: DirectiveContext, directive: string): boolean {
  if (draft.kind !== 'defaults') return true;
  fail(ctx, directive, "not allowed in 'defaults' section", 'move it to a frontend, backend or listen section');
  return false;
}

function applyMode(draft: ProxyDraft, ctx: DirectiveContext): void {
  const mode = ctx.words[1] ?? '';
  if (!noExtraWords(ctx, 'mode', 2)) return;
  if (mode === 'http' || mode === 'tcp') {
    // `mode tcp` is reported when a proxy section ends up in it, so that a
    // tcp `defaults` overridden by `mode http` in every section stays valid.
    draft.mode = { value: mode, source: ctx.at };
    return;
  }
  if (mode === 'health') return void fail(ctx, 'mode', "'mode health' doesn't exist anymore in HAProxy 2.6");
  fail(ctx, 'mode', `unknown proxy mode '${mode}'`, mode.toLowerCase() === 'http' ? "did you mean 'http'? (modes are case-sensitive)" : 'edge-balancer supports only mode http');
}

function applyBind(draft: ProxyDraft, ctx: DirectiveContext): void {
  if (!notInDefaults(draft, ctx, 'bind')) return;
  const [, addresses, ...optionWords] = ctx.words;
  if (addresses === undefined) return void fail(ctx, 'bind', 'expects [addr1]:port1[,[addr2]:port2]… as arguments', 'e.g. bind :8080');
  const parsed = parseBindAddresses(addresses, ctx.env);
  if (!parsed.ok) fail(ctx, 'bind', parsed.problem, parsed.hint);
  const options = optionWords.length > 0 ? parseBindOptions(ctx, optionWords) : undefined;
  if (!parsed.ok || (optionWords.length > 0 && !options)) return;
  if (appliesToFrontend(draft, ctx, 'bind')) draft.binds.push(...parsed.value.map((bind) => (options ? { ...bind, options } : bind)));
}

function applyBalance(draft: ProxyDraft, ctx: DirectiveContext): void {
  const [, algorithm, ...rest] = ctx.words;
  if (algorithm === undefined) return void fail(ctx, 'balance', 'missing algorithm', `expected one of ${BALANCE_ALGORITHMS.join(', ')}`);
  // `random(3)` / `random 3` pick the best of N draws; edge-balancer draws once.
  const randomDraws = /^random(?:\((\d+)\))?$/.exec(algorithm);
  if (randomDraws) {
    if (randomDraws[1] !== undefined || rest.length > 0) notice(ctx, "'balance random' draws: the number of draws is ignored, edge-balancer draws once");
    if (appliesToBackend(draft, ctx, 'balance')) draft.balance = 'random';
    return;
  }
  if (!(BALANCE_ALGORITHMS as readonly string[]).includes(algorithm)) {
    const base = algorithm.replace(/\(.*$/, '');
    if (OTHER_HAPROXY_ALGORITHMS.includes(base)) {
      return void fail(ctx, 'balance', `algorithm '${algorithm}' is not supported by edge-balancer`, `expected one of ${BALANCE_ALGORITHMS.join(', ')}`);
    }
    return void fail(ctx, 'balance', `unknown algorithm '${algorithm}'`, expectedOneOf(algorithm, BALANCE_ALGORITHMS));
  }
  if (!noExtraWords(ctx, 'balance', 2)) return;
  if (appliesToBackend(draft, ctx, 'balance')) draft.balance = algorithm as BalanceAlgorithm;
}

function applyServer(draft: ProxyDraft, ctx: DirectiveContext): void {
  if (!notInDefaults(draft, ctx, 'server')) return;
  if (draft.kind === 'frontend') return void fail(ctx, 'server', `not allowed because frontend '${draft.name}' has no backend capability`, 'put servers in a backend or listen section');
  const [, name, address, ...options] = ctx.words;
  if (name === undefined || address === undefined) return void fail(ctx, 'server', 'expects <name> and <addr>:<port> as arguments', 'e.g. server app1 127.0.0.1:8081 check');
  const parsedAddress = parseServerAddress(address, ctx.env);
  if (!parsedAddress.ok) fail(ctx, 'server', parsedAddress.problem, parsedAddress.hint);
  const settings = applyServerOptions(draft.defaultServer, options, ctx, 'server');
  if (!parsedAddress.ok || !settings) return;
  const checkElsewhere = settings.port !== undefined || settings.addr !== undefined;
  const tls = resolveServerTls(settings.tls, checkElsewhere, ctx.global, ctx, `${draft.name}/${name}`);
  if (!tls) return;
  const duplicate = draft.servers.find((s) => s.name === name);
  if (duplicate) {
    return void fail(ctx, 'server', `another server named '${name}' was already defined at line ${duplicate.source.line}`, 'please use distinct names');
  }
  const server = serverFromSettings(name, parsedAddress.value, settings, ctx.at, tls);
  draft.servers.push(server);
}

function applyOption(draft: ProxyDraft, ctx: DirectiveContext, negated: boolean): void {
  const offset = negated ? 2 : 1;
  const name = ctx.words[offset];
  const directive = `${negated ? 'no ' : ''}option ${name ?? ''}`.trim();
  if (name === undefined) return void fail(ctx, directive, 'expects an option name', `expected one of ${OPTIONS.join(', ')}`);
  const args = ctx.words.slice(offset + 1);
  if (IGNORED_OPTIONS.includes(name)) return notice(ctx, `'${directive}' is ignored (not needed by edge-balancer)`);
  if (negated && args.length > 0) return void fail(ctx, directive, `unexpected argument '${args[0]}'`, "'no option' takes no arguments");

  if (Object.hasOwn(CONNECTION_MODES, name)) {
    if (args.length > 0) return void fail(ctx, directive, `unexpected argument '${args[0]}'`);
    // The three modes exclude each other; the last one wins. `no option X`
    // brings back the default, keep-alive, when X is the current mode.
    const mode = CONNECTION_MODES[name]!;
    if (!negated) draft.connectionMode = mode;
    else if (draft.connectionMode === mode) draft.connectionMode = 'keep-alive';
    return;
  }
  switch (name) {
    case 'redispatch':
    case 'allbackups':
      if (args.length > 0) {
        return void fail(ctx, directive, `unexpected argument '${args[0]}'`, name === 'redispatch' ? "the redispatch interval is not supported; edge-balancer redispatches on the last retry, HAProxy's default" : undefined);
      }
      if (!appliesToBackend(draft, ctx, directive)) return;
      if (name === 'redispatch') draft.redispatch = !negated;
      else draft.allBackups = !negated;
      return;
    case 'prefer-last-server':
      if (args.length > 0) return void fail(ctx, directive, `unexpected argument '${args[0]}'`);
      if (appliesToBackend(draft, ctx, directive)) draft.preferLastServer = !negated;
      return;
    case 'abortonclose':
      // A backend option in HAProxy (PR_CAP_BE): its frontend's clients are not concerned.
      if (args.length > 0) return void fail(ctx, directive, `unexpected argument '${args[0]}'`);
      if (appliesToBackend(draft, ctx, directive)) draft.abortOnClose = !negated;
      return;
    case 'http-no-delay':
      // HAProxy turns off Nagle's algorithm on both sides; Node, Deno and
      // Workers already send each write at once (Node's `noDelay` default).
      if (args.length > 0) return void fail(ctx, directive, `unexpected argument '${args[0]}'`);
      return;
    case 'forwardfor': {
      if (negated) {
        delete draft.forwardFor;
        return;
      }
      const forwardFor = parseForwardFor(ctx, args);
      if (forwardFor) draft.forwardFor = forwardFor;
      return;
    }
    case 'httpchk': {
      if (negated) {
        delete draft.httpCheck;
        return;
      }
      const check = parseHttpchk(ctx, args);
      if (check && appliesToBackend(draft, ctx, directive)) draft.httpCheck = check;
      return;
    }
    default:
      return void fail(ctx, 'option', `unknown option '${name}'`, expectedOneOf(name, OPTIONS, IGNORED_OPTIONS));
  }
}

/** `option forwardfor [except NET] [header NAME] [if-none]` */
function parseForwardFor(ctx: DirectiveContext, args: readonly string[]): ForwardFor | undefined {
  let header = 'X-Forwarded-For';
  let except: string | undefined;
  let ifNone = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const value = args[i + 1];
    if (word === 'if-none') {
      ifNone = true;
    } else if (word === 'header') {
      if (value === undefined) return fail(ctx, 'option forwardfor header', 'expects <header_name> as argument');
      header = value;
      i += 1;
    } else if (word === 'except') {
      if (value === undefined || !isNetwork(value)) {
        return fail(ctx, 'option forwardfor except', `expects <address>[/mask] as argument${value ? `, got '${value}'` : ''}`, 'e.g. except 127.0.0.0/8');
      }
      except = value;
      i += 1;
    } else {
      return fail(ctx, 'option forwardfor', `unknown argument '${word}'`, expectedOneOf(word, ['except', 'header', 'if-none']));
    }
  }
  return { header, ...(except !== undefined ? { except } : {}), ifNone };
}

/** An IPv4 or IPv6 address with an optional prefix length (HAProxy rejects names and bad octets). */
function isNetwork(text: string): boolean {
  const [address = '', mask, ...rest] = text.split('/');
  if (rest.length > 0) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    if (v4.slice(1).some((octet) => Number(octet) > 255)) return false;
    // HAProxy also accepts a dotted mask (`/255.0.0.0`).
    return mask === undefined || (/^\d{1,2}$/.test(mask) && Number(mask) <= 32) || /^\d{1,3}(\.\d{1,3}){3}$/.test(mask);
  }
  if (address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address)) {
    return mask === undefined || (/^\d{1,3}$/.test(mask) && Number(mask) <= 128);
  }
  return false;
}

/**
 * `option httpchk [METHOD URI [VERSION]]` or the old `option httpchk URI`.
 * As in HAProxy, a single argument is the URI (method OPTIONS), so
 * `option httpchk GET` checks the URI "GET".
 */
function parseHttpchk(ctx: DirectiveContext, args: readonly string[]): { method: string; uri: string } | undefined {
  if (args.length > 3) return fail(ctx, 'option httpchk', `unexpected argument '${args[3]}'`, 'expected option httpchk [METHOD] [URI] [VERSION]');
  if (args.length === 0) return { method: 'OPTIONS', uri: '/' };
  if (args.length === 1) {
    const uri = args[0]!;
    if (!uri.startsWith('/')) notice(ctx, `'option httpchk ${uri}': a single argument is the URI (HAProxy sends 'OPTIONS ${uri}'); did you mean 'option httpchk ${uri} /'?`);
    return { method: 'OPTIONS', uri };
  }
  const [method, uri, version] = args as [string, string, string | undefined];
  if (version !== undefined) {
    if (/[\r\n]/.test(version)) return fail(ctx, 'option httpchk', 'headers hidden after the HTTP version are not supported', 'HAProxy deprecates this too');
    notice(ctx, `'option httpchk': the HTTP version '${version}' is ignored`);
  }
  return { method, uri };
}

function applyTimeout(draft: ProxyDraft, ctx: DirectiveContext): void {
  const [, name, value] = ctx.words;
  if (name === undefined) return void fail(ctx, 'timeout', 'missing timeout name', `expected one of ${Object.keys(TIMEOUTS).join(', ')}`);
  const directive = `timeout ${name}`;
  if (IGNORED_TIMEOUTS.includes(name)) return notice(ctx, `'${directive}' is ignored (not needed by edge-balancer)`);
  const field = Object.hasOwn(TIMEOUTS, name) ? TIMEOUTS[name] : undefined;
  if (!field) return void fail(ctx, 'timeout', `unknown timeout '${name}'`, expectedOneOf(name, Object.keys(TIMEOUTS), IGNORED_TIMEOUTS));
  const ms = readDuration(ctx, directive, value);
  if (ms === undefined || !noExtraWords(ctx, directive, 3)) return;
  // A tunnel is a backend-side timeout: haproxy warns and ignores it in a frontend.
  if (field === 'tunnel' && !appliesToBackend(draft, ctx, directive)) return;
  setTimeoutValue(draft.timeouts, field, ms);
}

function applyUseBackend(draft: ProxyDraft, ctx: DirectiveContext): void {
  if (!notInDefaults(draft, ctx, 'use_backend')) return;
  const [, backend, keyword, ...conditionWords] = ctx.words;
  if (backend === undefined) return void fail(ctx, 'use_backend', 'expects a backend name', 'e.g. use_backend api if { path_beg /api }');
  if (backend.includes('%[')) return void fail(ctx, 'use_backend', `dynamic backend name '${backend}' is not supported`, 'name the backend literally');
  let condition;
  if (keyword === undefined) {
    // HAProxy accepts an unconditional use_backend.
    condition = ALWAYS;
  } else {
    const parsed = parseCondition(keyword, conditionWords, draft.acls, ruleLoad(draft, ctx, 'request'));
    if (!parsed.ok) return void fail(ctx, 'use_backend', parsed.problem, parsed.hint);
    parsed.notices.forEach((text) => notice(ctx, text));
    condition = parsed.condition;
  }
  if (appliesToFrontend(draft, ctx, 'use_backend')) draft.useBackend.push({ value: { backend, condition, source: ctx.at }, source: ctx.at });
}

function applyAcl(draft: ProxyDraft, ctx: DirectiveContext): void {
  if (draft.kind === 'defaults') return void fail(ctx, 'acl', "not allowed in anonymous 'defaults' section", 'declare ACLs in the frontend or listen section that uses them');
  const [, name, ...test] = ctx.words;
  if (name === undefined) return void fail(ctx, 'acl', 'expects an ACL name and a test', 'e.g. acl is_api path_beg /api');
  if (!ACL_NAME.test(name)) {
    const bad = [...name].find((c) => !ACL_NAME.test(c));
    return void fail(ctx, 'acl', `character '${bad}' is not permitted in acl name '${name}'`, 'use letters, digits and - _ . :');
  }
  // A named ACL may read either side; conditions check the side where they are used.
  const parsed = parseAclTest(test, ruleLoad(draft, ctx, 'any'));
  if (!parsed.ok) return void fail(ctx, 'acl', parsed.problem, parsed.hint);
  if (parsed.notice) notice(ctx, parsed.notice);
  draft.acls.set(name, [...(draft.acls.get(name) ?? []), parsed.test]);
}
