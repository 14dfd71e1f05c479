/**
 * `userlist NAME` sections: `group G [users u1,u2]` and
 * `user U [password HASH | insecure-password TEXT] [groups g1,g2]`, as HAProxy
 * 2.6 reads them. Hashes must be SHA-256/SHA-512 crypt (`$5$`, `$6$`): other
 * crypt(3) schemes (MD5 `$1$`, bcrypt, yescrypt) are refused at load rather
 * than failing every login.
 */
import { isShaCrypt } from '../rules/sha-crypt.ts';
import type { Userlist, UserlistUser } from '../rules/userlist.ts';
import { fail, type DirectiveContext } from './directive-context.ts';
import { expectedOneOf } from './suggest.ts';

export interface UserlistDraft {
  readonly name: string;
  readonly groups: Map<string, string[]>;
  readonly users: { name: string; password: UserlistUser['password']; groups: string[] }[];
}

export function applyUserlistDirective(draft: UserlistDraft, ctx: DirectiveContext): void {
  const [keyword, name, ...rest] = ctx.words as [string, string?, ...string[]];
  if (keyword !== 'user' && keyword !== 'group') return void fail(ctx, keyword, "unknown keyword in 'userlist' section", expectedOneOf(keyword, ['user', 'group']));
  if (name === undefined) return void fail(ctx, keyword, `'${keyword}' expects a name`);
  if (keyword === 'group') {
    if (draft.groups.has(name)) return void fail(ctx, 'group', `duplicate group '${name}' in userlist '${draft.name}'`);
    const members: string[] = [];
    for (let i = 0; i < rest.length; i += 2) {
      if (rest[i] !== 'users' || rest[i + 1] === undefined) return void fail(ctx, 'group', `unexpected argument '${rest[i]}'`, "expected group NAME [users u1,u2]");
      members.push(...rest[i + 1]!.split(',').filter((u) => u !== ''));
    }
    draft.groups.set(name, members);
    return;
  }
  if (draft.users.some((u) => u.name === name)) return void fail(ctx, 'user', `duplicate user '${name}' in userlist '${draft.name}'`);
  let password: UserlistUser['password'] | undefined;
  const groups: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const word = rest[i]!;
    const value = rest[i + 1];
    if (value === undefined) return void fail(ctx, 'user', `'${word}' expects a value`);
    if (word === 'password') {
      if (!isShaCrypt(value)) {
        return void fail(ctx, 'user', `password hash of user '${name}' is not a SHA-256/SHA-512 crypt hash ($5$/$6$)`, "create one with 'mkpasswd -m sha-512' or 'openssl passwd -6', or use insecure-password");
      }
      password = { kind: 'crypt', hash: value };
    } else if (word === 'insecure-password') password = { kind: 'insecure', text: value };
    else if (word === 'groups') groups.push(...value.split(',').filter((g) => g !== ''));
    else return void fail(ctx, 'user', `unexpected argument '${word}'`, expectedOneOf(word, ['password', 'insecure-password', 'groups']));
  }
  // HAProxy accepts a user without a password; nobody can log in as it.
  draft.users.push({ name, password: password ?? { kind: 'crypt', hash: '!' }, groups });
}

/** Resolves group memberships both ways; unknown groups are errors, as in HAProxy. */
export function finishUserlist(draft: UserlistDraft, ctx: Pick<DirectiveContext, 'diagnostics' | 'at' | 'path'>): Userlist {
  const users: UserlistUser[] = draft.users.map((user) => {
    const groups = new Set(user.groups);
    for (const [group, members] of draft.groups) if (members.includes(user.name)) groups.add(group);
    for (const group of user.groups) {
      if (!draft.groups.has(group)) fail(ctx, 'user', `userlist '${draft.name}': user '${user.name}' is in unknown group '${group}'`, 'declare it with group NAME');
    }
    return { name: user.name, password: user.password, groups: [...groups] };
  });
  for (const [group, members] of draft.groups) {
    for (const member of members) {
      if (!draft.users.some((u) => u.name === member)) fail(ctx, 'group', `userlist '${draft.name}': group '${group}' lists unknown user '${member}'`);
    }
  }
  return { name: draft.name, groups: [...draft.groups.keys()], users };
}
