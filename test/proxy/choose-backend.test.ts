import { describe, expect, it } from 'vitest';
import type { Frontend } from '../../src/config/types.ts';
import { parseAclTest, type AclTest } from '../../src/rules/acl.ts';
import { chooseBackend } from '../../src/routing/choose-backend.ts';

function acl(text: string): AclTest {
  const parsed = parseAclTest(text.split(' '), { phase: 'request', readFile: undefined });
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.test;
}

const at = { file: 't.cfg', line: 1 };
const frontend: Frontend = {
  name: 'web',
  isListen: false,
  binds: [],
  connectionMode: 'keep-alive',
  timeouts: {},
  defaultBackend: 'app',
  source: at,
  useBackend: [
    { backend: 'api', source: at, condition: { unless: false, anyOf: [[{ negate: false, tests: [acl('path_beg /api/ /v2/')] }]] } },
    {
      backend: 'static',
      source: at,
      condition: { unless: false, anyOf: [[{ negate: false, tests: [acl('hdr(host) -i static.example.com')] }]] },
    },
    { backend: 'legacy', source: at, condition: { unless: true, anyOf: [[{ negate: false, tests: [acl('path_beg /')] }]] } },
  ],
};

describe('use_backend / default_backend', () => {
  it('takes the first rule that holds, else the default', () => {
    expect(chooseBackend(frontend, { path: '/api/users', headers: [['Host', 'static.example.com']] })).toBe('api');
    expect(chooseBackend(frontend, { path: '/img.png', headers: [['Host', 'STATIC.example.com']] })).toBe('static');
    expect(chooseBackend(frontend, { path: '/', headers: [['Host', 'www.example.com']] })).toBe('app');
    expect(chooseBackend(frontend, { path: '*', headers: [] })).toBe('legacy');
  });

  it('a listen section is its own backend', () => {
    expect(chooseBackend({ ...frontend, isListen: true, defaultBackend: undefined, useBackend: [] }, { path: '/', headers: [] })).toBe('web');
  });
});
