/**
 * Reads HAProxy 2.6 configuration text into a frozen `Config`.
 *
 * Several files are read as `haproxy -f a -f b` does: in order, each section
 * ending with its file (a file that starts with `server …` is an error
 * "out of section"), while the current `defaults` carries over to the next
 * file. Every problem found is collected and thrown together as `ConfigErrors`.
 */
import { deepFreeze } from './deep-freeze.ts';
import { Diagnostics } from './diagnostics.ts';
import { fail, type DirectiveContext, type Env } from './directive-context.ts';
import { ConfigErrors, type ConfigError } from './errors.ts';
import { applyGlobalDirective, type GlobalDraft } from './global-section.ts';
import { ACL_NAME } from '../rules/acl.ts';
import { applyProxyDirective } from './proxy-directives.ts';
import { draftFromDefaults, emptyDraft, type ProxyDraft, type SectionKind } from './proxy-draft.ts';
import { expectedOneOf } from './suggest.ts';
import { tokenizeLine } from './tokenize.ts';
import { validateConfig } from './validate-config.ts';
import { applyUserlistDirective, finishUserlist, type UserlistDraft } from './userlist-section.ts';
import type { Userlist } from '../rules/userlist.ts';
import type { Config, SourceLocation } from './types.ts';

export interface ConfigFile {
  /** Name used in messages, e.g. `haproxy.cfg`. */
  readonly file: string;
  readonly text: string;
}

export interface ParseOptions {
  /** Variables for `"${VAR}"` and addresses: the adapter passes the process's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads `errorfile` paths; without it any `errorfile` line is an error. */
  readonly readFile?: (path: string) => string;
}

export interface ParsedConfig {
  readonly config: Config;
  /** One line each: ignored directives and HAProxy's warnings, `file:line: text`. */
  readonly notices: readonly string[];
}

const SECTIONS = ['global', 'defaults', 'frontend', 'backend', 'listen', 'userlist'];
/** HAProxy sections edge-balancer has no use for; their lines are skipped after one error. */
const UNSUPPORTED_SECTIONS = ['peers', 'resolvers', 'mailers', 'program', 'http-errors', 'ring', 'cache', 'fcgi-app'];

type Section =
  | { readonly kind: 'none' }
  | { readonly kind: 'global' }
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'userlist'; readonly draft: UserlistDraft; readonly at: SourceLocation }
  | { readonly kind: 'proxy'; readonly draft: ProxyDraft };

/** Parses and validates; throws `ConfigErrors` listing every error found. */
export function parseHaproxyConfig(files: readonly ConfigFile[], options: ParseOptions): ParsedConfig {
  const diagnostics = new Diagnostics();
  const reader = new ConfigReader(diagnostics, options);
  for (const file of files) reader.readFile(file);
  reader.recordEnvironmentChanges();
  const config = validateConfig({ proxies: reader.proxies, global: reader.global, userlists: reader.userlists }, diagnostics);
  if (diagnostics.errors.length > 0) throw new ConfigErrors(inFileOrder(diagnostics.errors, files));
  return { config: deepFreeze(config), notices: diagnostics.notices };
}

/** Whole-config checks run last; report their errors where they belong among the others. */
function inFileOrder(errors: readonly ConfigError[], files: readonly ConfigFile[]): ConfigError[] {
  const fileIndex = (name: string) => files.findIndex((f) => f.file === name);
  return [...errors].sort((a, b) => fileIndex(a.file) - fileIndex(b.file) || a.line - b.line);
}

class ConfigReader {
  readonly proxies: ProxyDraft[] = [];
  readonly global: GlobalDraft = {};
  readonly userlists: Userlist[] = [];
  private env: Env;
  private section: Section = { kind: 'none' };
  private defaults: ProxyDraft | undefined;
  private readonly namedDefaults = new Map<string, ProxyDraft>();

  constructor(
    private readonly diagnostics: Diagnostics,
    private readonly options: ParseOptions,
  ) {
    this.env = options.env;
  }

  /**
   * What `setenv`, `presetenv`, `unsetenv` and `resetenv` changed, kept in the
   * configuration: HAProxy changes its process environment, so `env(NAME)`
   * in a rule sees the change at run time too.
   */
  recordEnvironmentChanges(): void {
    if (this.env === this.options.env) return;
    const changes: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(this.env)) if (value !== this.options.env[name]) changes[name] = value ?? null;
    for (const name of Object.keys(this.options.env)) if (this.env[name] === undefined && this.options.env[name] !== undefined) changes[name] = null;
    if (Object.keys(changes).length > 0) this.global.environment = changes;
  }

  readFile({ file, text }: ConfigFile): void {
    const lines = text.split('\n');
    lines.forEach((raw, index) => {
      const at = { file, line: index + 1 };
      const tokens = tokenizeLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw, this.env);
      if (!tokens.ok) {
        this.diagnostics.error(at, '', `${tokens.problem} at position ${tokens.position}`, tokens.problem === 'unmatched quote' ? 'close the quote on the same line' : undefined);
        return;
      }
      if (tokens.words.length > 0) this.readLine({ at, words: tokens.words, env: this.env, readFile: this.options.readFile, diagnostics: this.diagnostics, global: this.global });
    });
    this.closeSection();
  }

  private readLine(ctx: DirectiveContext): void {
    const keyword = ctx.words[0]!;
    if (SECTIONS.includes(keyword)) return this.openSection(ctx);
    if (UNSUPPORTED_SECTIONS.includes(keyword)) {
      this.closeSection();
      this.section = { kind: 'unsupported' };
      return void fail(ctx, keyword, `'${keyword}' sections are not supported by edge-balancer`);
    }
    if (keyword.startsWith('.')) {
      return void fail(ctx, keyword, 'conditional blocks and diagnostic directives (.if, .endif, .warning, …) are not supported');
    }
    switch (this.section.kind) {
      case 'none':
        return void fail(ctx, keyword, 'unknown keyword out of section', expectedOneOf(keyword, SECTIONS));
      case 'unsupported':
        return;
      case 'global':
        this.env = applyGlobalDirective(ctx, this.global);
        return;
      case 'proxy':
        return applyProxyDirective(this.section.draft, ctx);
      case 'userlist':
        return applyUserlistDirective(this.section.draft, ctx);
    }
  }

  private openSection(ctx: DirectiveContext): void {
    this.closeSection();
    const [keyword, ...args] = ctx.words as [string, ...string[]];
    if (keyword === 'global') {
      if (args.length > 0) fail(ctx, 'global', `unexpected argument '${args[0]}'`);
      this.section = { kind: 'global' };
      return;
    }
    if (keyword === 'userlist') {
      const name = args[0];
      if (name === undefined || args.length > 1) return void fail(ctx, 'userlist', name === undefined ? "'userlist' expects a name" : `unexpected argument '${args[1]}'`);
      if (this.userlists.some((u) => u.name === name)) fail(ctx, 'userlist', `duplicate userlist '${name}'`);
      this.section = { kind: 'userlist', draft: { name, groups: new Map(), users: [] }, at: ctx.at };
      return;
    }
    const kind = keyword as SectionKind;
    const header = this.readSectionHeader(ctx, kind, args);
    if (!header) {
      // Keep reading the section's lines (to report their errors) in a throw-away draft.
      this.section = { kind: 'proxy', draft: emptyDraft(kind, '', ctx.at) };
      return;
    }
    const draft = draftFromDefaults(header.from, kind, header.name, ctx.at);
    if (kind === 'defaults') {
      // Each `defaults` replaces the previous one for the sections after it.
      this.defaults = draft;
      if (header.name !== '') this.namedDefaults.set(header.name, draft);
    } else {
      this.proxies.push(draft);
    }
    this.section = { kind: 'proxy', draft };
  }

  /** `KIND NAME [from DEFAULTS]`; a `defaults` section's name is optional (`defaults [NAME] [from OTHER]`). */
  private readSectionHeader(ctx: DirectiveContext, kind: SectionKind, args: readonly string[]): { name: string; from: ProxyDraft | undefined } | undefined {
    const unnamed = kind === 'defaults' && (args.length === 0 || args[0] === 'from');
    const name = unnamed ? '' : args[0];
    const rest = unnamed ? args : args.slice(1);
    if (name === undefined) return fail(ctx, kind, `'${kind}' expects a name`, `e.g. ${kind} app`);
    if (name !== '' && !ACL_NAME.test(name)) {
      const bad = [...name].find((c) => !ACL_NAME.test(c));
      return fail(ctx, kind, `character '${bad}' is not permitted in ${kind} name '${name}'`, 'use letters, digits and - _ . :');
    }
    // A new `defaults` starts empty unless it names one to start from.
    if (rest.length === 0) return { name, from: kind === 'defaults' ? undefined : this.defaults };
    if ((kind === 'listen' || kind === 'frontend') && rest.length === 1 && /:\d*$/.test(rest[0]!)) {
      // Old tutorials put the listening address on the section line; HAProxy 2.6 refuses it too.
      return fail(ctx, kind, `listening address '${rest[0]}' on the section line`, `put it on a line of its own in the section: bind ${rest[0]}`);
    }
    if (rest[0] !== 'from' || rest.length !== 2) {
      return fail(ctx, kind, `unexpected argument '${rest[0] === 'from' ? (rest[2] ?? 'from') : rest[0]}' after the section name`, `expected '${kind} NAME' or '${kind} NAME from DEFAULTS'`);
    }
    const named = this.namedDefaults.get(rest[1]!);
    if (!named) return fail(ctx, kind, `defaults section '${rest[1]}' not found for ${kind} '${name}'`, 'declare it earlier with defaults NAME');
    return { name, from: named };
  }

  /** End-of-section checks that need the whole section (its mode may come from defaults). */
  private closeSection(): void {
    const section = this.section;
    this.section = { kind: 'none' };
    if (section.kind === 'userlist') {
      this.userlists.push(finishUserlist(section.draft, { diagnostics: this.diagnostics, at: section.at }));
      return;
    }
    if (section.kind !== 'proxy' || section.draft.kind === 'defaults' || section.draft.name === '') return;
    const draft = section.draft;
    const label = `${draft.kind} '${draft.name}'`;
    if (draft.mode?.value === 'tcp') {
      this.diagnostics.error(draft.mode.source, 'mode', `${label} would run in mode tcp; edge-balancer supports only mode http`, "use 'mode http'");
    } else if (!draft.mode) {
      this.diagnostics.notice(draft.source, `${label} has no 'mode http': HAProxy would run it in mode tcp, edge-balancer always uses http`);
    }
    if (draft.httpCheckExpect && !draft.httpCheck) {
      // HAProxy: "uses http-check rules without 'option httpchk', so the rules are ignored".
      this.diagnostics.notice(draft.httpCheckExpect.source, `${label} uses 'http-check expect' without 'option httpchk', so it is ignored (as in HAProxy)`);
      delete draft.httpCheckExpect;
    }
    if (draft.httpCheckSend && !draft.httpCheck) {
      this.diagnostics.notice(draft.httpCheckSend.source, `${label} uses 'http-check send' without 'option httpchk', so it is ignored (as in HAProxy)`);
      delete draft.httpCheckSend;
    }
  }
}
