/**
 * The README's "Rules in an object config" example runs as written (its
 * imports pointed at the sources), and prints what its comments say.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MARK = '<!-- test/config/object-rules-readme.test.ts runs this block -->';

/** The code block after the README's mark, and the output its trailing comments promise. */
function readmeExample(): { code: string; expected: string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = readme.split(MARK)[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error(`README.md: the block marked ${MARK} is missing`);
  const expected = [...block.matchAll(/^\/\/ (\/.*)$/gm)].map((m) => m[1]!);
  const code = block
    .replace("from 'edge-balancer';", `from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/index.ts')).href)};`)
    .replace("from 'edge-balancer/node';", `from ${JSON.stringify(pathToFileURL(join(ROOT, 'adapters/node/index.ts')).href)};`);
  return { code, expected };
}

describe("README: rules in an object config", () => {
  let dir: string | undefined;
  afterEach(() => {
    vi.restoreAllMocks();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers the redirect, monitor-uri, return and auth rules as the comments say', async () => {
    const { code, expected } = readmeExample();
    expect(expected).toHaveLength(4);
    dir = mkdtempSync(join(tmpdir(), 'readme-object-rules-'));
    const file = join(dir, 'example.mjs');
    writeFileSync(file, code);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ').trimEnd()));
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    expect(lines).toEqual(expected);
  });
});
