/**
 * Reads configuration files as `haproxy -f` does: each `-f` names a file or a
 * directory (its `*.cfg` files in lexical order), all concatenated in order.
 * A `.json` file holds a Config object instead. Shared by the Node and Deno
 * commands (both run `node:fs`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHaproxyConfig, readObjectConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/types.ts';

export interface LoadedConfig {
  readonly config: Config;
  readonly notices: readonly string[];
}

/** `env`: the variables for `"${VAR}"` and addresses (the command passes its process's environment). */
export function loadConfigFiles(paths: readonly string[], env: Readonly<Record<string, string | undefined>>): LoadedConfig {
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cfg'))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
  if (files.length === 1 && files[0]!.endsWith('.json')) {
    const file = files[0]!;
    return readObjectConfig(JSON.parse(readFileSync(file, 'utf8')), file, { readFile: (path) => readFileSync(path, 'utf8') });
  }
  return parseHaproxyConfig(
    files.map((file) => ({ file, text: readFileSync(file, 'utf8') })),
    { env, readFile: (path) => readFileSync(path, 'utf8') },
  );
}
