/**
 * The keywords after `server NAME ADDR` and `default-server`: each line
 * modifies a copy of the settings it starts from, so a later `default-server`
 * adds to earlier ones and a `server` keyword overrides `default-server`.
 * Limits are HAProxy 2.6's: weight 0-256, rise and fall > 0, inter > 0.
 */
import { expandAddressVariables } from './address.ts';
import { fail, notice, readDuration, readInteger, type DirectiveContext } from './directive-context.ts';
import type { ServerSettings } from './proxy-draft.ts';
import { applyServerTlsOption, SERVER_TLS_KEYWORDS } from './server-tls-options.ts';
import { expectedOneOf } from './suggest.ts';

const SUPPORTED = [
  'weight', 'cookie', 'check', 'no-check', 'inter', 'fastinter', 'downinter', 'rise', 'fall', 'port', 'addr',
  'backup', 'no-backup', 'disabled', 'enabled', 'maxconn', 'minconn', 'resolvers', 'init-addr', ...SERVER_TLS_KEYWORDS,
];

/**
 * Keywords taking one argument that are read and have no effect here; each
 * says so in a notice (HAProxy: DNS resolution at run time, dynamic minimum
 * connections, start-up address resolution order).
 */
const ACCEPTED_WITH_NOTICE: Readonly<Record<string, string>> = {
  minconn: 'edge-balancer applies maxconn only; minconn (dynamic limits with fullconn) is ignored',
  resolvers: 'edge-balancer resolves server names with the platform resolver on each connection; resolvers sections are not used',
  'init-addr': "edge-balancer resolves server names when connecting; 'init-addr' (last, libc, none, IP) changes nothing",
  'resolve-prefer': 'edge-balancer lets the platform resolver pick the address family',
};

/** Returns the modified copy, or undefined after recording the line's errors. */
export function applyServerOptions(start: ServerSettings, options: readonly string[], ctx: DirectiveContext, directive: string): ServerSettings | undefined {
  const settings: ServerSettings = { ...start, tls: { ...start.tls } };
  let ok = true;
  for (let i = 0; i < options.length; i++) {
    const keyword = options[i]!;
    const value = options[i + 1];
    const where = `${directive} ${keyword}`;
    const argument = <T>(read: () => T | undefined): T | undefined => {
      i += 1;
      const result = read();
      if (result === undefined) ok = false;
      return result;
    };
    switch (keyword) {
      case 'check':
        settings.check = true;
        break;
      case 'no-check':
        settings.check = false;
        break;
      case 'backup':
        settings.backup = true;
        break;
      case 'no-backup':
        settings.backup = false;
        break;
      case 'disabled':
        settings.disabled = true;
        break;
      case 'enabled':
        settings.disabled = false;
        break;
      case 'weight': {
        const weight = argument(() => readInteger(ctx, where, value, 0, 256));
        if (weight !== undefined) settings.weight = weight;
        break;
      }
      case 'cookie': {
        const cookie = argument(() => (value === undefined ? fail(ctx, where, "'cookie' expects a value", 'e.g. cookie s1') : value));
        if (cookie !== undefined) settings.cookie = cookie;
        break;
      }
      case 'inter':
      case 'fastinter':
      case 'downinter': {
        const ms = argument(() => {
          const parsed = readDuration(ctx, where, value);
          if (parsed === 0) return fail(ctx, where, `invalid value 0 for '${keyword}'`, 'a check interval must be greater than 0');
          return parsed;
        });
        if (ms !== undefined) settings[keyword] = ms;
        break;
      }
      case 'rise':
      case 'fall': {
        const count = argument(() => readInteger(ctx, where, value, 1, 2_147_483_647));
        if (count !== undefined) settings[keyword] = count;
        break;
      }
      case 'port': {
        const port = argument(() => readInteger(ctx, where, value, 1, 65535));
        if (port !== undefined) settings.port = port;
        break;
      }
      case 'addr': {
        const addr = argument(() => {
          if (value === undefined) return fail(ctx, where, "'addr' expects an address", 'e.g. addr 127.0.0.1');
          const host = expandAddressVariables(value, ctx.env).replace(/^\[(.*)\]$/, '$1');
          return host === '' ? fail(ctx, where, `empty address '${value}'`) : host;
        });
        if (addr !== undefined) settings.addr = addr;
        break;
      }
      case 'maxconn': {
        // HAProxy: maxconn 0 means no limit.
        const maxconn = argument(() => readInteger(ctx, where, value, 0, 2_147_483_647));
        if (maxconn !== undefined) {
          if (maxconn === 0) delete settings.maxconn;
          else settings.maxconn = maxconn;
        }
        break;
      }
      default: {
        // A TLS keyword with a bad value ends the line's reading: one error, not a cascade.
        const tlsLast = applyServerTlsOption(settings.tls, options, i, ctx, directive);
        if (tlsLast === false) return undefined;
        if (tlsLast !== undefined) {
          i = tlsLast;
          break;
        }
        if (Object.hasOwn(ACCEPTED_WITH_NOTICE, keyword)) {
          if (value === undefined) {
            fail(ctx, where, `'${keyword}' expects an argument`);
            return undefined;
          }
          notice(ctx, `'${where} ${value}' is accepted: ${ACCEPTED_WITH_NOTICE[keyword]}`);
          i += 1;
          break;
        }
        // How many arguments an unknown keyword takes is unknown, so the rest
        // of the line is not read: `observe layer4` is one error, not two.
        fail(ctx, directive, `unknown or unsupported keyword '${keyword}'`, expectedOneOf(keyword, SUPPORTED));
        return undefined;
      }
    }
  }
  return ok ? settings : undefined;
}
