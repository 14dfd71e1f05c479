/** `global maxconn`, `global ulimit-n` and frontend `maxconn`, as HAProxy 2.6 reads them. */
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/index.ts';
import { DEFAULTS, errorOf, parse } from './helpers.ts';

describe('connection limit directives', () => {
  it('global maxconn and ulimit-n become Config.global; 0 means "not set"', () => {
    expect(parse(`global\n    maxconn 40\n    ulimit-n 200\n${DEFAULTS}`).config.global).toEqual({ maxconn: 40, ulimitN: 200 });
    expect(parse(`global\n    maxconn 0\n${DEFAULTS}`).config.global).toBeUndefined();
    expect(parse(DEFAULTS).config.global).toBeUndefined();
  });

  it("a second global maxconn keeps the first, with HAProxy's 'already specified' as a notice", () => {
    const { config, notices } = parse(`global\n    maxconn 40\n    maxconn 50\n${DEFAULTS}`);
    expect(config.global).toEqual({ maxconn: 40 });
    expect(notices).toContain("haproxy.cfg:3: 'maxconn' already specified; the first value (40) stays, as in HAProxy");
  });

  it('rejects a bad number naming file, line and directive', () => {
    expect(errorOf(`global\n    maxconn lots\n${DEFAULTS}`).message).toMatch(/^haproxy\.cfg:2: 'maxconn': invalid number 'lots'/);
    expect(errorOf(`global\n    ulimit-n\n${DEFAULTS}`).message).toMatch(/^haproxy\.cfg:2: 'ulimit-n': missing number/);
    expect(errorOf(`global\n    maxcon 10\n${DEFAULTS}`).message).toContain("did you mean 'maxconn'?");
  });

  it('frontend/listen maxconn, inherited from defaults, overridden per section; a backend ignores it with a notice', () => {
    const text = `${DEFAULTS}    maxconn 300
frontend web
    bind :8080
    maxconn 50
    default_backend app
frontend other
    bind :8081
    default_backend app
listen zero
    bind :8082
    maxconn 0
    server s 127.0.0.1:1
backend app
    maxconn 10
    server s 127.0.0.1:1
`;
    const { config, notices } = parse(text);
    expect(config.frontends.map((f) => [f.name, f.maxconn])).toEqual([['web', 50], ['other', 300], ['zero', undefined]]);
    expect(notices).toContain("haproxy.cfg:19: 'maxconn' ignored because backend 'app' has no frontend capability (did you mean 'fullconn'? it is ignored too)");
  });

  it('JSON/object configs take the same fields', () => {
    const config = configFromObject({
      global: { maxconn: 40, ulimitN: 0 },
      frontends: [{ name: 'web', binds: [':8080'], defaultBackend: 'app', maxconn: 10 }],
      backends: [{ name: 'app', servers: [] }],
    });
    expect(config.global).toEqual({ maxconn: 40 });
    expect(config.frontends[0]!.maxconn).toBe(10);
  });
});
