/**
 * The environment for `${VAR}` in the configuration, read from Deno only
 * when a line uses a variable: a configuration without variables needs no
 * `--allow-env`, and one with `${PORT}` needs only `--allow-env=PORT`. A
 * missing permission is Deno's own error, naming the variable.
 */
export function lazyEnvironment(): Readonly<Record<string, string | undefined>> {
  const read = (name: string | symbol) => (typeof name === 'string' ? Deno.env.get(name) : undefined);
  // Listing the variables (to copy them for `setenv` in `global`) needs them all.
  const everyName = () => (Deno.permissions.querySync({ name: 'env' }).state === 'granted' ? Object.keys(Deno.env.toObject()) : []);
  return new Proxy({} as Record<string, string | undefined>, {
    get: (_, name) => read(name),
    has: (_, name) => read(name) !== undefined,
    ownKeys: () => everyName(),
    getOwnPropertyDescriptor: (_, name) => {
      const value = read(name);
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
  });
}
