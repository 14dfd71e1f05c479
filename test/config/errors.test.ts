import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors } from '../../src/config/index.ts';
import { DEFAULTS, errorOf, errorsOf, listenWith, parse } from './helpers.ts';

/** Line of the first extra line in `listenWith(...)`: after 5 lines of DEFAULTS, `listen app` and `bind`. */
const L = 8;

interface Case {
  readonly lines: string[];
  readonly directive: string;
  readonly message: RegExp;
  readonly line?: number;
}

// Every case is a line HAProxy 2.6 rejects too, unless marked "stricter".
const LISTEN_CASES: Record<string, Case> = {
  'unknown balance algorithm, with a suggestion': {
    lines: ['balance roundrobn'],
    directive: 'balance',
    message: /^haproxy\.cfg:8: 'balance': unknown algorithm 'roundrobn'; did you mean 'roundrobin'\? expected one of roundrobin, static-rr, leastconn, first, random$/,
  },
  'balance is case-sensitive': { lines: ['balance ROUNDROBIN'], directive: 'balance', message: /unknown algorithm 'ROUNDROBIN'; did you mean 'roundrobin'/ },
  'HAProxy algorithms we do not implement': { lines: ['balance source'], directive: 'balance', message: /algorithm 'source' is not supported by edge-balancer/ },
  'balance without algorithm (stricter)': { lines: ['balance'], directive: 'balance', message: /missing algorithm/ },
  'mode tcp': { lines: ['mode tcp'], directive: 'mode', message: /listen 'app' would run in mode tcp; edge-balancer supports only mode http/ },
  'unknown mode': { lines: ['mode HTTP'], directive: 'mode', message: /unknown proxy mode 'HTTP'; did you mean 'http'\?/ },
  'mode health was removed': { lines: ['mode health'], directive: 'mode', message: /doesn't exist anymore/ },
  'bind ssl without crt': { lines: ['bind :8443 ssl'], directive: 'bind', message: /no SSL certificate specified for this bind; use 'crt'/ },
  'bind option misspelt': { lines: ['bind :8443 sll crt /x.pem'], directive: 'bind', message: /unknown keyword 'sll'; did you mean 'ssl'\?/ },
  'bind option haproxy has but edge-balancer not': { lines: ['bind :8443 accept-proxy'], directive: 'bind', message: /bind option 'accept-proxy' is not supported by edge-balancer/ },
  'bind crt without path': { lines: ['bind :8443 ssl crt'], directive: 'bind', message: /'crt' : missing argument; e\.g\. crt / },
  'bind unknown TLS version': { lines: ['bind :8443 ssl crt /x.pem ssl-min-ver TLSv1.4'], directive: 'bind', message: /unknown version 'TLSv1\.4'/ },
  'bind every TLS version disabled': { lines: ['bind :8443 ssl crt /x.pem no-tlsv12 no-tlsv13'], directive: 'bind', message: /all SSL\/TLS versions are disabled/ },
  'bind without port': { lines: ['bind 127.0.0.1'], directive: 'bind', message: /missing port specification in '127\.0\.0\.1'/ },
  'bind port 0': { lines: ['bind :0'], directive: 'bind', message: /invalid port '0'/ },
  'bind port out of range': { lines: ['bind :70000'], directive: 'bind', message: /invalid port '70000'/ },
  'bind port with junk (stricter: HAProxy reads 8080)': { lines: ['bind :8080x'], directive: 'bind', message: /invalid port '8080x'/ },
  'bind unix socket': { lines: ['bind /run/x.sock'], directive: 'bind', message: /address '\/run\/x\.sock' is not supported/ },
  'bind ipv4@ prefix': { lines: ['bind ipv4@:80'], directive: 'bind', message: /is not supported/ },
  'bind nothing': { lines: ['bind'], directive: 'bind', message: /expects \[addr1\]:port1/ },
  'server without port (stricter: HAProxy reuses the client port)': { lines: ['server s2 127.0.0.1'], directive: 'server', message: /missing port in server address/ },
  'server port range': { lines: ['server s2 127.0.0.1:80-81'], directive: 'server', message: /invalid port '80-81'/ },
  'server without address': { lines: ['server s2'], directive: 'server', message: /expects <name> and <addr>:<port>/ },
  'server unknown keyword': { lines: ['server s2 127.0.0.1:2 chek'], directive: 'server', message: /unknown or unsupported keyword 'chek'; did you mean 'check'\?/ },
  'weight above 256': { lines: ['server s2 127.0.0.1:2 weight 257'], directive: 'server weight', message: /invalid number '257'; expected an integer from 0 to 256/ },
  'weight not a number (stricter: HAProxy reads 0)': { lines: ['server s2 127.0.0.1:2 weight x'], directive: 'server weight', message: /invalid number 'x'/ },
  'rise 0': { lines: ['server s2 127.0.0.1:2 rise 0'], directive: 'server rise', message: /invalid number '0'; expected an integer from 1/ },
  'fall 0': { lines: ['server s2 127.0.0.1:2 fall 0'], directive: 'server fall', message: /invalid number '0'/ },
  'inter 0': { lines: ['server s2 127.0.0.1:2 inter 0'], directive: 'server inter', message: /invalid value 0 for 'inter'/ },
  'inter with a fraction': { lines: ['server s2 127.0.0.1:2 inter 1.5s'], directive: 'server inter', message: /unexpected character '\.'/ },
  'cookie value missing': { lines: ['server s2 127.0.0.1:2 cookie'], directive: 'server cookie', message: /'cookie' expects a value/ },
  'duplicate server': { lines: ['server s1 127.0.0.1:2'], directive: 'server', line: 9, message: /another server named 's1' was already defined at line 8/ },
  'two cookie modes': { lines: ['cookie C insert prefix'], directive: 'cookie', message: /'rewrite', 'insert' and 'prefix' modes are incompatible/ },
  'rewrite with indirect': { lines: ['cookie C rewrite indirect'], directive: 'cookie', message: /'rewrite' and 'indirect' modes are incompatible/ },
  'preserve without insert or indirect': { lines: ['cookie C prefix preserve'], directive: 'cookie', message: /'preserve' requires at least 'insert' or 'indirect'/ },
  'cookie unknown option': { lines: ['cookie C insert nocahce'], directive: 'cookie', message: /unknown option 'nocahce'; did you mean 'nocache'\?/ },
  'cookie without name': { lines: ['cookie'], directive: 'cookie', message: /missing cookie name/ },
  'cookie without mode (HAProxy: passive cookie)': { lines: ['cookie C'], directive: 'cookie', message: /missing cookie mode/ },
  'cookie dynamic': { lines: ['cookie C insert dynamic'], directive: 'cookie', message: /'dynamic' cookies are not supported/ },
  'cookie attr with ;': { lines: ['cookie C insert attr x;y'], directive: 'cookie attr', message: /not permitted in attribute value 'x;y'/ },
  'cookie maxidle with a bad unit': { lines: ['cookie C insert maxidle 1x'], directive: 'cookie maxidle', message: /unexpected character 'x'/ },
  'cookie maxidle without value': { lines: ['cookie C insert maxidle'], directive: 'cookie maxidle', message: /missing time value/ },
  'unknown option': { lines: ['option forwardfr'], directive: 'option', message: /unknown option 'forwardfr'; did you mean 'forwardfor'\?/ },
  'option without name': { lines: ['option'], directive: 'option', message: /expects an option name/ },
  'forwardfor unknown argument': { lines: ['option forwardfor foo'], directive: 'option forwardfor', message: /unknown argument 'foo'/ },
  'forwardfor except without network': { lines: ['option forwardfor except'], directive: 'option forwardfor except', message: /expects <address>\[\/mask\]/ },
  'forwardfor except with a bad network': { lines: ['option forwardfor except 999.0.0.0/8'], directive: 'option forwardfor except', message: /got '999\.0\.0\.0\/8'/ },
  'forwardfor header without name': { lines: ['option forwardfor header'], directive: 'option forwardfor header', message: /expects <header_name>/ },
  'httpchk with too many arguments': { lines: ['option httpchk GET /a b c'], directive: 'option httpchk', message: /unexpected argument 'c'/ },
  'redispatch interval (stricter)': { lines: ['option redispatch 1'], directive: 'option redispatch', message: /unexpected argument '1'/ },
  'http-check expect with a backwards range': { lines: ['option httpchk', 'http-check expect status 300-200'], directive: 'http-check expect', line: 9, message: /invalid range of status codes '300-200'/ },
  'http-check expect with a bad status list': { lines: ['option httpchk', 'http-check expect status 2xx'], directive: 'http-check expect', line: 9, message: /invalid character 'x' in the list of status codes/ },
  'http-check expect with two patterns': { lines: ['http-check expect status 200 string ok'], directive: 'http-check expect', message: /only on pattern expected/ },
  'http-check expect rstring that does not compile': { lines: ['http-check expect rstring ('], directive: 'http-check expect', message: /regex '\(' does not compile/ },
  'http-check expect unknown kind suggests one': { lines: ['http-check expect stauts 200'], directive: 'http-check expect', message: /got 'stauts'.*did you mean 'status'/ },
  'http-check expect on-error (unsupported)': { lines: ['http-check expect status 200 on-error x'], directive: 'http-check expect', message: /'on-error' is not supported/ },
  'http-check expect without code': { lines: ['http-check expect status'], directive: 'http-check expect', message: /'status' expects a <pattern>/ },
  'http-check send with a body (unsupported)': { lines: ['http-check send meth GET body x'], directive: 'http-check send', message: /'body' is not supported/ },
  'a keyword named like an Object property': { lines: ['toString 1'], directive: 'toString', message: /unknown keyword in 'listen' section/ },
  'acl named like an Object property': { lines: ['acl a toString x'], directive: 'acl', message: /unknown fetch method 'toString'/ },
  'http-request with an unknown action': { lines: ['http-request set-hedaer X y'], directive: 'http-request set-hedaer', message: /unknown action 'set-hedaer' in http-request rule; did you mean 'set-header'\?/ },
  'http-request with a response fetch': { lines: ['http-request set-header X %[status]'], directive: 'http-request set-header', message: /fetch method 'status' extracts information from the HTTP response/ },
  'http-request with an unknown converter': { lines: ['http-request set-header X %[path,lowre]'], directive: 'http-request set-header', message: /unknown converter 'lowre'; did you mean 'lower'\?/ },
  'http-request set-header without value': { lines: ['http-request set-header X'], directive: 'http-request set-header', message: /expects <name> <fmt>/ },
  'http-request track-sc0 (unsupported)': { lines: ['http-request track-sc0 src'], directive: 'http-request track-sc0', message: /action 'track-sc0' is not supported/ },
  'http-request deny with a bad status': { lines: ['http-request deny deny_status 99'], directive: 'http-request deny', message: /Unexpected status code '99'/ },
  'http-request deny_status without a page of HAProxy': { lines: ['http-request deny deny_status 299'], directive: 'http-request deny', message: /status code '299' not handled by default with 'default-errorfiles' argument/ },
  'http-request tarpit deny_status without a page of HAProxy': { lines: ['http-request tarpit deny_status 418'], directive: 'http-request tarpit', message: /status code '418' not handled by default/ },
  'http-request return with a status out of range': { lines: ['http-request return status 600'], directive: 'http-request return', message: /Unexpected status code '600'/ },
  'http-request return string without content-type': { lines: ['http-request return status 200 string ok'], directive: 'http-request return', message: /a content-type must be defined/ },
  'http-request redirect with a bad code': { lines: ['http-request redirect scheme https code 305'], directive: 'http-request redirect', message: /unsupported HTTP code '305'/ },
  'http-request replace-header with a bad regex': { lines: ['http-request replace-header X ([a- y'], directive: 'http-request replace-header', message: /does not compile/ },
  'http-request set-var with a bad scope': { lines: ['http-request set-var(foo.bar) path'], directive: 'http-request set-var(foo.bar)', message: /invalid variable name 'foo.bar'/ },
  'http-response with a request-only action': { lines: ['http-response set-path /x'], directive: 'http-response set-path', message: /unknown action 'set-path' in http-response rule/ },
  'http_auth with an unknown userlist': { lines: ['http-request auth unless { http_auth(admins) }'], directive: 'http_auth', message: /unable to find userlist 'admins'/ },
  'redirect with an unknown type': { lines: ['redirect schema https'], directive: 'redirect', message: /expects 'location', 'prefix' or 'scheme', got 'schema'; did you mean 'scheme'\?/ },
  'monitor without fail': { lines: ['monitor if TRUE'], directive: 'monitor', message: /expected 'monitor fail if\|unless <condition>'/ },
  'compression with an unknown algorithm': { lines: ['compression algo gzipp'], directive: 'compression algo', message: /unknown compression algorithm 'gzipp'; did you mean 'gzip'\?/ },
  'retries not a number (stricter)': { lines: ['retries x'], directive: 'retries', message: /invalid number 'x'/ },
  'retries missing': { lines: ['retries'], directive: 'retries', message: /missing number/ },
  'unknown timeout': { lines: ['timeout foo 1s'], directive: 'timeout', message: /unknown timeout 'foo'/ },
  'timeout typo': { lines: ['timeout conect 1s'], directive: 'timeout', message: /did you mean 'connect'\?/ },
  'timeout without value': { lines: ['timeout connect'], directive: 'timeout connect', message: /missing time value/ },
  'timeout with two values': { lines: ['timeout server 1s 2s'], directive: 'timeout server', message: /unexpected argument '2s'/ },
  'timeout overflow': { lines: ['timeout client 25d'], directive: 'timeout client', message: /timer overflow/ },
  'legacy contimeout': { lines: ['contimeout 5000'], directive: 'contimeout', message: /removed from HAProxy; use 'timeout connect'/ },
  'unknown keyword': { lines: ['balanse roundrobin'], directive: 'balanse', message: /unknown keyword in 'listen' section; did you mean 'balance'\?/ },
  'stats unknown parameter': { lines: ['stats enabled'], directive: 'stats', message: /unknown stats parameter 'enabled'; did you mean 'enable'\?/ },
  'stats uri without value': { lines: ['stats uri'], directive: 'stats uri', message: /'uri' needs a value/ },
  'stats realm without value': { lines: ['stats realm'], directive: 'stats realm', message: /'realm' needs a value/ },
  'stats auth without password (stricter)': { lines: ['stats auth admin'], directive: 'stats auth', message: /expected USER:PASSWORD, got 'admin'/ },
  'stats admin without condition': { lines: ['stats admin'], directive: 'stats admin', message: /requires either 'if' or 'unless'/ },
  'stats admin with a real condition (unsupported)': { lines: ['stats admin if { src 10.0.0.0/8 }'], directive: 'stats admin', message: /only the unconditional form/ },
  'stats refresh with a bad value': { lines: ['stats refresh soon'], directive: 'stats refresh', message: /unexpected character 's'/ },
  'errorfile unknown status': { lines: ['errorfile 302 /x'], directive: 'errorfile', message: /status code '302' not handled/ },
  'errorfile without file': { lines: ['errorfile 503'], directive: 'errorfile', message: /expects <status_code> and <file>/ },
  'errorfile without readFile': { lines: ['errorfile 503 /e/503.http'], directive: 'errorfile', message: /cannot read '\/e\/503\.http': no readFile function/ },
  'acl with a bad name': { lines: ['acl a! path_beg /x'], directive: 'acl', message: /character '!' is not permitted in acl name 'a!'/ },
  'acl with an unknown fetch': { lines: ['acl a hdr_bge(host) x'], directive: 'acl', message: /unknown fetch method 'hdr_bge' in ACL expression; did you mean 'hdr_beg'\?/ },
  'acl with an unknown converter': { lines: ['acl a hdr(host),lowr x'], directive: 'acl', message: /unknown converter 'lowr'; did you mean 'lower'\?/ },
  'acl with an unknown flag': { lines: ['acl a hdr(host) -x str'], directive: 'acl', message: /'-x' is not a valid ACL option; use '--' before any pattern beginning with a '-'/ },
  'acl with an unknown match method': { lines: ['acl a hdr(host) -m bge x'], directive: 'acl', message: /unknown matching method 'bge'.*did you mean 'beg'\?/ },
  'acl with a bad regex': { lines: ['acl a path_reg ^/(x'], directive: 'acl', message: /regex '\^\/\(x' does not compile/ },
  'acl var() without -m': { lines: ['acl a var(txn.x) y'], directive: 'acl', message: /matching method must be specified first \(using '-m'\)/ },
  'acl with a bad variable scope': { lines: ['acl a var(foo.x) -m str y'], directive: 'acl', message: /invalid variable name 'foo.x'/ },
  'acl with a bad network': { lines: ['acl a src 10.0.0.300'], directive: 'acl', message: /'10.0.0.300' is not a valid IPv4 or IPv6 address/ },
  'acl with a bad integer': { lines: ['acl a dst_port eighty'], directive: 'acl', message: /'eighty' is neither a number nor a supported operator/ },
  'acl with a response fetch used in use_backend': { lines: ['use_backend app if { status 200 }'], directive: 'use_backend', message: /fetch method 'status' extracts information from the HTTP response/ },
  'acl without fetch': { lines: ['acl a'], directive: 'acl', message: /missing fetch method/ },
  'use_backend with an unknown ACL': { lines: ['use_backend app if missing'], directive: 'use_backend', message: /no such ACL 'missing'/ },
  'use_backend ACL used before it is declared': {
    lines: ['use_backend app if is_api', 'acl is_api path_beg /api'],
    directive: 'use_backend',
    message: /no such ACL 'is_api'; declare it with 'acl NAME …' earlier in the same section/,
  },
  'use_backend with a misspelled ACL': { lines: ['acl is_api path_beg /api', 'use_backend app if is_apj'], directive: 'use_backend', line: 9, message: /did you mean 'is_api'\?/ },
  'use_backend with braces glued to words': { lines: ['use_backend app if {path_beg /x}'], directive: 'use_backend', message: /no such ACL '\{path_beg'; braces must be separate words/ },
  'use_backend with an unclosed brace': { lines: ['use_backend app if { path_beg /x'], directive: 'use_backend', message: /missing closing '\}' in condition/ },
  'use_backend with an empty anonymous ACL': { lines: ['use_backend app if { }'], directive: 'use_backend', message: /missing fetch method/ },
  'use_backend with when': { lines: ['use_backend app when x'], directive: 'use_backend', message: /unexpected keyword 'when' before the condition; only 'if' and 'unless'/ },
  'use_backend with an empty condition (stricter: HAProxy never matches it)': { lines: ['use_backend app if'], directive: 'use_backend', message: /'if' needs a condition/ },
  'use_backend with a misspelt predefined ACL': { lines: ['use_backend app if METH_GTE'], directive: 'use_backend', message: /no such ACL 'METH_GTE'; did you mean 'METH_GET'\?/ },
  'use_backend with a dynamic name': { lines: ['use_backend %[req.hdr(host)]'], directive: 'use_backend', message: /dynamic backend name/ },
  'use_backend to an unknown backend': { lines: ['use_backend ap if { path_beg /x }'], directive: 'use_backend', message: /listen 'app': unable to find required use_backend 'ap'; did you mean 'app'\?/ },
  'a listen routing to itself (HAProxy: loop detected)': { lines: ['use_backend app if { path_beg /x }'], directive: 'use_backend', message: /listen 'app': loop detected for use_backend 'app'/ },
  'default_backend to an unknown backend': { lines: ['default_backend nope'], directive: 'default_backend', message: /unable to find required default_backend 'nope'; known backends: app/ },
  'no without option': { lines: ['no balance'], directive: 'no', message: /only 'no option NAME'/ },
  'conditional blocks': { lines: ['.if defined(X)'], directive: '.if', message: /conditional blocks/ },
};

describe('each error names file, line and directive', () => {
  for (const [name, c] of Object.entries(LISTEN_CASES)) {
    it(name, () => {
      const error = errorOf(listenWith(...c.lines));
      expect(error).toBeInstanceOf(ConfigError);
      expect({ file: error.file, line: error.line, directive: error.directive }).toEqual({ file: 'haproxy.cfg', line: c.line ?? L, directive: c.directive });
      expect(error.message).toMatch(c.message);
    });
  }
});

describe('errors outside proxy sections and across sections', () => {
  const cases: Record<string, [text: string, line: number, directive: string, message: RegExp]> = {
    'directive out of section': ['  mode http\n', 1, 'mode', /unknown keyword out of section/],
    'misspelled section': ['backnd b\n', 1, 'backnd', /did you mean 'backend'\?/],
    'unknown global keyword': ['global\n    deamon\n', 2, 'deamon', /unknown keyword in 'global' section; did you mean 'daemon'\?/],
    'mode in global': ['global\n    mode http\n', 2, 'mode', /unknown keyword in 'global' section/],
    'setenv with one argument': ['global\n    setenv X\n', 2, 'setenv', /expects exactly 2 arguments/],
    'backend without a name': [`${DEFAULTS}backend\n`, 6, 'backend', /'backend' expects a name/],
    'section name with a bad character': [`${DEFAULTS}backend a/b\n`, 6, 'backend', /character '\/' is not permitted in backend name 'a\/b'/],
    'address on the listen line (old syntax)': [`${DEFAULTS}listen app 0.0.0.0:80\n`, 6, 'listen', /listening address '0\.0\.0\.0:80' on the section line; put it on a line of its own in the section: bind 0\.0\.0\.0:80$/],
    'section header with an extra word': [`${DEFAULTS}backend b extra\n`, 6, 'backend', /unexpected argument 'extra' after the section name/],
    'from an unknown defaults': [`${DEFAULTS}backend b from nope\n`, 6, 'backend', /defaults section 'nope' not found for backend 'b'/],
    'duplicate backend': [`${DEFAULTS}backend b\nbackend b\n`, 7, 'backend', /backend 'b' has the same name as backend 'b' declared at haproxy\.cfg:6/],
    'listen and backend with one name': [`${DEFAULTS}listen b\n    bind :80\nbackend b\n`, 8, 'backend', /same name as listen 'b'/],
    'server in defaults': [`${DEFAULTS}    server s 127.0.0.1:1\n`, 6, 'server', /not allowed in 'defaults' section/],
    'bind in defaults': [`${DEFAULTS}    bind :80\n`, 6, 'bind', /not allowed in 'defaults' section/],
    'use_backend in defaults': [`${DEFAULTS}    use_backend b\n`, 6, 'use_backend', /not allowed in 'defaults' section/],
    'acl in defaults': [`${DEFAULTS}    acl a path_beg /\n`, 6, 'acl', /not allowed in anonymous 'defaults' section/],
    'server in a frontend': [`${DEFAULTS}frontend f\n    bind :80\n    server s 127.0.0.1:1\n`, 8, 'server', /frontend 'f' has no backend capability/],
    'mode tcp inherited from defaults': [`defaults\n    mode tcp\nbackend b\n`, 2, 'mode', /backend 'b' would run in mode tcp/],
    'default_backend from defaults to an unknown backend': [`${DEFAULTS}    default_backend nope\nfrontend f\n    bind :80\n`, 6, 'default_backend', /frontend 'f': unable to find required default_backend 'nope'/],
    'unsupported section': ['peers mypeers\n    peer a 127.0.0.1:1024\n', 1, 'peers', /'peers' sections are not supported/],
    'userlist with an unsupported hash': ['userlist users\n    user a password $1$abc$xyz\n', 2, 'user', /not a SHA-256\/SHA-512 crypt hash/],
    'userlist with an unknown group': ['userlist users\n    user a insecure-password x groups admins\n', 1, 'user', /user 'a' is in unknown group 'admins'/],
    'unmatched quote': [`${DEFAULTS}    stats realm "Strictly Private\n`, 6, '', /^haproxy\.cfg:6: unmatched quote at position 17; close the quote on the same line$/],
  };
  for (const [name, [text, line, directive, message]] of Object.entries(cases)) {
    it(name, () => {
      const error = errorOf(text);
      expect([error.line, error.directive]).toEqual([line, directive]);
      expect(error.message).toMatch(message);
    });
  }

  it('frontend and backend may share a name (as in HAProxy)', () => {
    expect(() => parse(`${DEFAULTS}frontend app\n    bind :80\n    default_backend app\nbackend app\n    server s 127.0.0.1:1\n`)).not.toThrow();
  });

  it('errorfile that cannot be read or parsed', () => {
    const readFile = (path: string) => {
      if (path === '/bad.http') return 'hello\n';
      if (path === '/open.http') return 'HTTP/1.0 503 X\nContent-Type: x\n';
      throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    };
    const errors = errorsOf(listenWith('errorfile 503 /missing.http', 'errorfile 503 /bad.http', 'errorfile 503 /open.http'), { readFile });
    expect(errors.map((e) => e.message)).toEqual([
      "haproxy.cfg:8: 'errorfile': error opening file '/missing.http': ENOENT: no such file or directory, open '/missing.http'",
      "haproxy.cfg:9: 'errorfile': '/bad.http': unable to parse headers; the file must hold a full HTTP response: status line, headers, an empty line, then the body",
      "haproxy.cfg:10: 'errorfile': '/open.http': unable to parse headers; the file must hold a full HTTP response: status line, headers, an empty line, then the body",
    ]);
  });
});

describe('ConfigErrors', () => {
  it('an unsupported server keyword is one error: the words after it are not read as keywords', () => {
    const errors = errorsOf(listenWith('server s2 127.0.0.1:2 check observe layer4 error-limit 5 on-error mark-down'));
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^haproxy\.cfg:8: 'server': unknown or unsupported keyword 'observe'; expected one of weight, /),
    ]);
  });

  it('reports every error of every file, in file order, not just the first', () => {
    let thrown: unknown;
    try {
      parse(`${DEFAULTS}frontend f
    bind :80
    use_backend nope
    default_backend b
backend b
    balance roundrobn
    server s1 127.0.0.1:1 weight 300
    timeout conect 1s
`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigErrors);
    const errors = (thrown as ConfigErrors).errors;
    expect(errors.map((e) => [e.line, e.directive])).toEqual([
      [8, 'use_backend'],
      [11, 'balance'],
      [12, 'server weight'],
      [13, 'timeout'],
    ]);
    expect((thrown as Error).message.split('\n')[0]).toBe('4 errors in configuration:');
    expect(errors[1]!.hint).toBe("did you mean 'roundrobin'? expected one of roundrobin, static-rr, leastconn, first, random");
    expect(errors[1]!.problem).toBe("unknown algorithm 'roundrobn'");
  });
});
