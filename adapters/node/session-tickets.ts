/**
 * The session tickets of a TLS bind, renewed on every TLS 1.3 resumption as
 * on HAProxy. HAProxy leaves tickets to OpenSSL's own keys, and OpenSSL then
 * sends a fresh ticket after each resumed TLS 1.3 handshake, so a client that
 * keeps only its last ticket (browsers, wrk) resumes every time. Node's
 * built-in ticket keys answer "valid, no renewal": no ticket follows a
 * resumption, and such a client does a full handshake (a certificate
 * signature more, on both sides) every other connection.
 *
 * Node only renews through its ticket key callback on the native context
 * (undocumented; Node's own tests use it): it asks for the keys (AES-128-CBC
 * + HMAC-SHA256, as Node's own; new at start and at each reload) and hears
 * "renew" when a ticket is opened. When the callback is not there, Node's
 * built-in keys stay in use.
 */
import { hkdfSync, randomBytes, randomFillSync } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import type { BindTls } from '../../src/config/types.ts';

/** [status, HMAC key, AES-128 key, key name, IV]: status 1 = sealed/valid, 2 = valid and renew, 0 = unknown key. */
type TicketKeyAnswer = [number, Buffer, Buffer, Buffer?, Buffer?];

/** Node's native SecureContext (`tls.SecureContext.context`), as far as tickets go. */
interface NativeContext {
  enableTicketKeyCallback?: () => void;
  onticketkeycallback?: (name: Buffer, iv: Buffer, sealing: boolean) => TicketKeyAnswer;
}

const PART = 16;

/** Key name, HMAC key and AES key, one after the other. */
const MATERIAL = PART + 32 + PART;

/**
 * A bind's ticket keys, unless `no-tls-tickets`. Worker processes derive them
 * from the secret the primary gives them all (`bindKey` tells binds apart),
 * so that a ticket resumes on any worker, as on HAProxy's threads; one
 * process makes them at random. New ones at start and at each reload.
 */
export function ticketKeysFor(tls: BindTls, bindKey: string, secret: string | undefined): TicketKeys | undefined {
  if (tls.noTlsTickets) return undefined;
  const material = secret === undefined ? randomBytes(MATERIAL) : Buffer.from(hkdfSync('sha256', secret, 'edge-balancer TLS session tickets', bindKey, MATERIAL));
  return new TicketKeys(tls.maxVersion === 'TLSv1.3', material);
}

export class TicketKeys {
  readonly #name: Buffer;
  readonly #hmacKey: Buffer;
  readonly #aesKey: Buffer;
  /** Node copies what the answer holds before the callback returns: one array each, the IV refilled per ticket. */
  readonly #iv = Buffer.alloc(PART);
  readonly #sealing: TicketKeyAnswer;
  readonly #opened: TicketKeyAnswer;
  readonly #unknown: TicketKeyAnswer;

  /**
   * `renew`: the bind may speak TLS 1.3. The callback cannot tell a TLS 1.2
   * ticket from a 1.3 one, and on TLS 1.2 OpenSSL's own keys do not renew: a
   * TLSv1.2-only bind keeps tickets as they are.
   */
  constructor(renew: boolean, material: Buffer) {
    this.#name = material.subarray(0, PART);
    this.#hmacKey = material.subarray(PART, PART + 32);
    this.#aesKey = material.subarray(PART + 32, MATERIAL);
    this.#sealing = [1, this.#hmacKey, this.#aesKey, this.#name, this.#iv];
    this.#opened = [renew ? 2 : 1, this.#hmacKey, this.#aesKey];
    this.#unknown = [0, this.#hmacKey, this.#aesKey];
  }

  /**
   * Seals and opens the tickets of connections made with `context`. OpenSSL
   * takes the callback from the listener's default context and Node answers
   * it from the context SNI chose: every context of the bind gets it.
   */
  install(context: SecureContext | undefined): void {
    const native = (context as { context?: NativeContext } | undefined)?.context;
    if (typeof native?.enableTicketKeyCallback !== 'function') return;
    native.onticketkeycallback = this.#answer;
    native.enableTicketKeyCallback();
  }

  readonly #answer = (name: Buffer, _iv: Buffer, sealing: boolean): TicketKeyAnswer => {
    if (sealing) {
      randomFillSync(this.#iv);
      return this.#sealing;
    }
    return name.equals(this.#name) ? this.#opened : this.#unknown;
  };
}
