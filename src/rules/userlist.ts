/**
 * `userlist` sections and the credential check behind `http_auth(L)` and
 * `http_auth_group(L)`. Passwords are `insecure-password TEXT` or a crypt(3)
 * hash; edge-balancer checks the SHA-256/SHA-512 schemes (`$5$`, `$6$`),
 * which `mkpasswd -m sha-512` and `openssl passwd -6` produce. A check costs
 * thousands of hash rounds, so results are remembered per user and password.
 */
import { shaCrypt } from './sha-crypt.ts';

export interface UserlistUser {
  readonly name: string;
  readonly password: { readonly kind: 'crypt'; readonly hash: string } | { readonly kind: 'insecure'; readonly text: string };
  /** Groups from `user … groups a,b` and from `group G users …`. */
  readonly groups: readonly string[];
}

export interface Userlist {
  readonly name: string;
  readonly groups: readonly string[];
  readonly users: readonly UserlistUser[];
}

export type CredentialCheck = (userlist: string, user: string, password: string) => { ok: boolean; groups: readonly string[] };

const CACHE_LIMIT = 1024;

/** One checker for all userlists of a configuration; its memory of checked passwords is bounded. */
export function createCredentialCheck(userlists: readonly Userlist[]): CredentialCheck {
  const byName = new Map(userlists.map((list) => [list.name, new Map(list.users.map((u) => [u.name, u]))]));
  const verified = new Map<string, boolean>();
  return (userlist, user, password) => {
    const entry = byName.get(userlist)?.get(user);
    if (!entry) return { ok: false, groups: [] };
    let ok: boolean;
    if (entry.password.kind === 'insecure') ok = entry.password.text === password;
    else {
      const key = `${entry.password.hash}\u0000${password}`;
      const known = verified.get(key);
      if (known === undefined) {
        ok = shaCrypt(password, entry.password.hash) === entry.password.hash;
        if (verified.size >= CACHE_LIMIT) verified.clear();
        verified.set(key, ok);
      } else ok = known;
    }
    return { ok, groups: ok ? entry.groups : [] };
  };
}
