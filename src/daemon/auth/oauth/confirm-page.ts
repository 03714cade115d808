/**
 * Renders templates/oauth-confirm.html with a private nunjucks environment (not the pages' renderer: template_paths
 * cannot replace this page, where JupyterHub lets them override oauth.html), autoescape on, so every value (client description,
 * redirect_uri, scope names chosen by the client) is HTML-escaped. The template directory is found by walking up
 * from this module, which works from src/ (tsx) and from dist/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { ScopeDescription } from './grant-scopes.js';

export const CONFIRM_TEMPLATE = 'oauth-confirm.html';

export interface ConfirmPageVars {
  clientDescription: string;
  redirectUri: string;
  scopes: readonly string[];
  descriptions: readonly ScopeDescription[];
  xsrf: string;
  /** Where the form posts: the authorize URL itself, query included. */
  formAction: string;
}

function findTemplateDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, CONFIRM_TEMPLATE))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find templates/${CONFIRM_TEMPLATE} above ${fileURLToPath(import.meta.url)}`);
}

let env: nunjucks.Environment | undefined;

function environment(): nunjucks.Environment {
  env ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(findTemplateDir()), { autoescape: true, throwOnUndefined: false });
  return env;
}

export function renderConfirmPage(v: ConfirmPageVars): string {
  const onlyIdentify = v.descriptions.length === 1 && v.descriptions[0]?.scope === null;
  return environment().render(CONFIRM_TEMPLATE, {
    client_description: v.clientDescription,
    redirect_uri: v.redirectUri,
    scopes: v.scopes,
    scope_descriptions: v.descriptions,
    xsrf: v.xsrf,
    form_action: v.formAction,
    no_actions: onlyIdentify,
  });
}
