import nunjucks from 'nunjucks';
import type { Logger } from '../../lib/log.js';

/**
 * Page templates, rendered by nunjucks (a Jinja-like engine), searched as JupyterHub searches them:
 * `templates/<name>` always names hub's own template (so an admin's page.html can `{% extends
 * "templates/page.html" %}`), a bare name is looked up in JupyterHub.template_paths first, then in hub's own
 * directory. Autoescaping is on unless jinja_environment_options says otherwise.
 */
export interface RendererOptions {
  templatePaths: readonly string[];
  defaultDir: string;
  /** JupyterHub.jinja_environment_options, in Jinja's names. */
  environmentOptions: Readonly<Record<string, unknown>>;
  log: Logger;
}

/** nunjucks' options (its type omits `tags`, which the engine supports). */
type EngineOptions = nunjucks.ConfigureOptions & {
  tags?: { blockStart?: string; blockEnd?: string; variableStart?: string; variableEnd?: string; commentStart?: string; commentEnd?: string };
};

const TAG_OPTIONS: Readonly<Record<string, string>> = {
  block_start_string: 'blockStart', block_end_string: 'blockEnd', variable_start_string: 'variableStart',
  variable_end_string: 'variableEnd', comment_start_string: 'commentStart', comment_end_string: 'commentEnd',
};

/** Jinja Environment options -> nunjucks; the ones nunjucks cannot honour are named in a warning. */
export function engineOptions(jinja: Readonly<Record<string, unknown>>, log: Logger): EngineOptions {
  const out: EngineOptions = { autoescape: true, throwOnUndefined: false, noCache: false };
  const tags: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(jinja)) {
    if (key === 'autoescape' && typeof value === 'boolean') out.autoescape = value;
    else if (key === 'trim_blocks' && typeof value === 'boolean') out.trimBlocks = value;
    else if (key === 'lstrip_blocks' && typeof value === 'boolean') out.lstripBlocks = value;
    else if (key === 'auto_reload' && typeof value === 'boolean') out.noCache = value;
    else if (key === 'cache_size' && typeof value === 'number') out.noCache = value === 0;
    else if (key === 'enable_async') continue;
    else if (Object.hasOwn(TAG_OPTIONS, key) && typeof value === 'string') tags[TAG_OPTIONS[key] ?? key] = value;
    else ignored.push(key);
  }
  if (Object.keys(tags).length > 0) out.tags = tags;
  if (out.autoescape === false) log.warn('jinja_environment_options turns autoescape off: every template must escape request data itself');
  if (ignored.length > 0) log.warn(`jinja_environment_options not supported by hub's template engine (nunjucks), ignored: ${ignored.join(', ')}`);
  return out;
}

/**
 * Jinja's `{% block name scoped %}` (JupyterHub 3.0's token.html and page.html use it inside loops): nunjucks has
 * no such modifier, and needs none, as its blocks already see the loop's variables.
 */
function jinjaCompat(source: nunjucks.LoaderSource | null): nunjucks.LoaderSource {
  if (source === null) return null as unknown as nunjucks.LoaderSource;
  return { ...source, src: source.src.replace(/(\{%-?\s*block\s+\w+)\s+scoped(\s*-?%\})/g, '$1$2') };
}

export class PageRenderer {
  private readonly env: nunjucks.Environment;

  constructor(o: RendererOptions) {
    const opts = engineOptions(o.environmentOptions, o.log);
    const own = new nunjucks.FileSystemLoader([o.defaultDir], { noCache: opts.noCache ?? false });
    const prefixed: nunjucks.ILoader = {
      // nunjucks' own loaders answer null for "not mine, ask the next loader"; its typings omit that.
      getSource: (name) => (name.startsWith('templates/') ? own.getSource(name.slice('templates/'.length)) : (null as unknown as nunjucks.LoaderSource)),
    };
    const files = new nunjucks.FileSystemLoader([...o.templatePaths, o.defaultDir], { noCache: opts.noCache ?? false });
    const search: nunjucks.ILoader = { getSource: (name) => jinjaCompat(files.getSource(name)) };
    this.env = new nunjucks.Environment([prefixed, search], opts);
    // Jinja's spellings of the constants (nunjucks knows only true, false and none): JupyterHub's templates
    // write `all_spawners(include_default=False)` and `btn_label=None`.
    this.env.addGlobal('True', true);
    this.env.addGlobal('False', false);
    this.env.addGlobal('None', null);
    // Jinja's tojson, safe inside <script>: '<', '>' and '&' cannot end the script element.
    this.env.addFilter('tojson', (v: unknown) => new nunjucks.runtime.SafeString(
      JSON.stringify(v ?? null).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026')));
  }

  has(name: string): boolean {
    try {
      this.env.getTemplate(name);
      return true;
    } catch (err) {
      // A broken template is an error to see, not a reason to quietly use another one.
      if (err instanceof Error && err.message.includes('template not found')) return false;
      throw err;
    }
  }

  /**
   * Compiles each template now, so one that is missing or that nunjucks cannot parse (a Jinja-only construct,
   * JupyterHub's own data files) stops the start with its name instead of making every page a 500.
   * Returns the first problem, or null.
   */
  problem(names: readonly string[]): { name: string; message: string } | null {
    for (const name of names) {
      try {
        this.env.getTemplate(name, true);
      } catch (err) {
        return { name, message: (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean).join(' ') };
      }
    }
    return null;
  }

  /** The text of the template `name` resolves to (template_paths first), as written. */
  source(name: string): string {
    return (this.env.getTemplate(name) as unknown as { tmplStr?: string }).tmplStr ?? '';
  }

  render(name: string, context: Record<string, unknown>): string {
    return this.env.render(name, context);
  }

  /** For template text from the config (an authenticator's custom_html), rendered with the page's values. */
  renderString(source: string, context: Record<string, unknown>): string {
    return this.env.renderString(source, context);
  }
}

/** Marks trusted markup (built by hub, never from request input) so autoescape leaves it alone. */
export function safeHtml(html: string): nunjucks.runtime.SafeString {
  return new nunjucks.runtime.SafeString(html);
}
