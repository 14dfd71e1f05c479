/**
 * Cookie persistence (`cookie NAME insert|prefix|rewrite …` and server
 * `cookie VALUE`) as pure functions over header lines, shared by every runtime.
 */
export { readPersistenceCookie } from './request-cookie.ts';
export { applyResponseCookie, type ResponseCookieContext } from './response-cookie.ts';
export { isCacheableResponse } from './cacheability.ts';
export { encodeS30, decodeS30 } from './s30.ts';
export {
  parseCookieHeader,
  serializeCookieHeader,
  splitSetCookie,
  type CookiePair,
  type SetCookieParts,
} from './cookie-syntax.ts';
export type { CookieDates, CookieStatus, HeaderLines, PersistenceRequest } from './types.ts';
