/**
 * Admin actions of `stats admin if TRUE`: set servers to ready / drain /
 * maint and change their weight, through BackendRuntime.setAdmin. The form
 * follows HAProxy's (POST `b` = backend name or `#iid`, `s` = server(s),
 * `action`, answered by `303 See Other` to `<uri>;st=DONE|PART|NONE|ERRP|DENY`);
 * a JSON API sits next to it. Both are POST-only and CSRF-protected: a
 * cross-origin `Origin`/`Sec-Fetch-Site` is refused, forms carry a signed
 * token, and JSON bodies cannot be sent cross-site without a CORS preflight
 * (which is never granted).
 */
import type { AdminMode, AdminState } from '../balancer/admin-state.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';

export type AdminResult = 'DONE' | 'PART' | 'NONE' | 'ERRP' | 'DENY';

export interface AdminRequest {
  /** Backend name, or `#<iid>` as HAProxy's form sends it. */
  readonly backend: string;
  readonly servers: readonly string[];
  readonly mode?: AdminMode;
  /** 0–256, as HAProxy's `set weight`. */
  readonly weight?: number;
}

export interface AdminChange {
  readonly backend: string;
  readonly server: string;
  readonly before: AdminState;
  readonly after: AdminState;
}

const MODES: ReadonlySet<string> = new Set(['ready', 'drain', 'maint']);

/** Reads HAProxy's form fields; `action` may also be empty when only `weight` is given. */
export function parseAdminForm(form: URLSearchParams): AdminRequest | undefined {
  const action = form.get('action') ?? '';
  const weightText = (form.get('weight') ?? '').trim();
  if (action !== '' && !MODES.has(action)) return undefined;
  const weight = weightText === '' ? undefined : parseWeight(weightText);
  if (weight === null) return undefined;
  return {
    backend: form.get('b') ?? '',
    servers: form.getAll('s'),
    ...(action ? { mode: action as AdminMode } : {}),
    ...(weight !== undefined ? { weight } : {}),
  };
}

/** `{"backend": "app", "server": "s1" | ["s1","s2"], "state": "drain", "weight": 3}` */
export function parseAdminJson(body: unknown): AdminRequest | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const servers = typeof b.server === 'string' ? [b.server] : Array.isArray(b.server) ? b.server : undefined;
  if (typeof b.backend !== 'string' || !servers || !servers.every((s) => typeof s === 'string')) return undefined;
  if (b.state !== undefined && (typeof b.state !== 'string' || !MODES.has(b.state))) return undefined;
  const weight = b.weight === undefined ? undefined : parseWeight(String(b.weight));
  if (weight === null || (b.state === undefined && weight === undefined)) return undefined;
  return {
    backend: b.backend,
    servers: servers as string[],
    ...(b.state !== undefined ? { mode: b.state as AdminMode } : {}),
    ...(weight !== undefined ? { weight } : {}),
  };
}

function parseWeight(text: string): number | null {
  if (!/^\d{1,3}$/.test(text)) return null;
  const weight = Number(text);
  return weight <= 256 ? weight : null;
}

/**
 * Applies the request to the named servers. DONE when every server was
 * found, PART when only some were, NONE when no server was named, ERRP when
 * the backend is unknown or nothing named exists.
 */
export function applyAdminRequest(
  backends: readonly BackendRuntime[],
  proxyIdOf: (backend: string) => number | undefined,
  request: AdminRequest,
): { result: AdminResult; changes: AdminChange[] } {
  const runtime = request.backend.startsWith('#')
    ? backends.find((b) => String(proxyIdOf(b.backend.name)) === request.backend.slice(1))
    : backends.find((b) => b.backend.name === request.backend);
  if (!runtime) return { result: 'ERRP', changes: [] };
  if (request.servers.length === 0 || (request.mode === undefined && request.weight === undefined)) {
    return { result: 'NONE', changes: [] };
  }
  const changes: AdminChange[] = [];
  for (const name of request.servers) {
    const index = runtime.servers.findIndex((s) => s.name === name);
    if (index < 0) continue;
    const before = runtime.admin(index);
    const after: AdminState = { mode: request.mode ?? before.mode, weight: request.weight ?? before.weight };
    runtime.setAdmin(index, after);
    changes.push({ backend: runtime.backend.name, server: name, before, after });
  }
  const result = changes.length === 0 ? 'ERRP' : changes.length < request.servers.length ? 'PART' : 'DONE';
  return { result, changes };
}

export function describeChange(user: string, change: AdminChange): string {
  const parts: string[] = [];
  if (change.before.mode !== change.after.mode) parts.push(`state ${change.before.mode} -> ${change.after.mode}`);
  if (change.before.weight !== change.after.weight) parts.push(`weight ${change.before.weight} -> ${change.after.weight}`);
  const what = parts.length ? parts.join(', ') : `state ${change.after.mode}, weight ${change.after.weight} (unchanged)`;
  return `stats admin: ${user ? `user '${user}'` : 'anonymous user'} set ${change.backend}/${change.server} ${what}`;
}

/**
 * The request comes from our own page: `Origin` (when sent) names the host
 * the request was sent to, and `Sec-Fetch-Site` (when sent) is same-origin
 * or none. Clients that send neither (curl, scripts) are not browsers.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  const host = request.headers.get('host') ?? new URL(request.url).host;
  if (origin !== null) {
    try {
      if (new URL(origin).host !== host) return false;
    } catch {
      return false;
    }
  }
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}

const TOKEN_LIFETIME_S = 12 * 3600;
const encoder = new TextEncoder();

/** The shortest `adminTokenKey` accepted: 32 characters, as a 256-bit HMAC key wants. */
export const MIN_ADMIN_TOKEN_KEY_LENGTH = 32;

/**
 * Signs and checks the form's CSRF token: `<issued>.<HMAC-SHA256(section, user, issued)>`.
 * The key is secret: a random one made when the stats section is first served
 * (so per balancer; a reload renews it and open pages need a reload), or the
 * section's `adminTokenKey` when tokens must be accepted by several
 * processes or Workers isolates. It is never derived from the passwords or
 * from the configuration: a token must tell nothing about them, and must not
 * be forgeable by whoever reads the configuration.
 */
export class CsrfTokens {
  readonly #key: Promise<CryptoKey>;
  readonly #section: string;

  constructor(sectionName: string, configuredKey?: string) {
    this.#section = sectionName;
    this.#key =
      configuredKey === undefined
        ? (crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify']) as Promise<CryptoKey>)
        : crypto.subtle.importKey('raw', encoder.encode(configuredKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issue(user: string, nowMs: number): Promise<string> {
    const issued = Math.floor(nowMs / 1000);
    const mac = await crypto.subtle.sign('HMAC', await this.#key, this.#message(user, issued));
    return `${issued}.${base64url(new Uint8Array(mac))}`;
  }

  async verify(token: string, user: string, nowMs: number): Promise<boolean> {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return false;
    const issued = Number(match[1]);
    const age = Math.floor(nowMs / 1000) - issued;
    if (age < -60 || age > TOKEN_LIFETIME_S) return false;
    // crypto.subtle.verify compares in constant time.
    return crypto.subtle.verify('HMAC', await this.#key, fromBase64url(match[2]!), this.#message(user, issued));
  }

  /** The section is signed too, so a shared configured key does not let one section's token act on another. */
  #message(user: string, issued: number): BufferSource {
    return encoder.encode(JSON.stringify(['edge-balancer stats csrf v2', this.#section, user, issued]));
  }
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
