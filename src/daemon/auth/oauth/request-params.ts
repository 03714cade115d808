/**
 * OAuth request parameters as oauthlib collects them: the URL query first, then the body
 * (application/x-www-form-urlencoded, which RFC 6749 prescribes, or JSON, which some clients send), the body
 * winning. Kept as a list of pairs, so repeated parameters can be refused as oauthlib refuses them.
 */
import type http from 'node:http';
import { readBodyBytes } from '../../api/http-util.js';
import { OAuthError } from './oauth-error.js';

export class OAuthParams {
  private readonly pairs: [string, string][];

  constructor(pairs: [string, string][]) {
    this.pairs = pairs;
  }

  static fromSearch(search: URLSearchParams): OAuthParams {
    return new OAuthParams([...search.entries()]);
  }

  /** The last value given (body after query), or null. */
  get(name: string): string | null {
    let value: string | null = null;
    for (const [k, v] of this.pairs) if (k === name) value = v;
    return value;
  }

  getAll(name: string): string[] {
    return this.pairs.filter(([k]) => k === name).map(([, v]) => v);
  }

  /** oauthlib: "Duplicate client_id parameter." for any of `names` given more than once. */
  duplicate(names: readonly string[]): string | null {
    return names.find((n) => this.getAll(n).length > 1) ?? null;
  }

  with(more: OAuthParams): OAuthParams {
    return new OAuthParams([...this.pairs, ...more.pairs]);
  }
}

async function readBodyText(req: http.IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString('utf8');
}

function jsonPairs(text: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OAuthError('invalid_request', 'Request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OAuthError('invalid_request', 'Request body must be a JSON object of parameters.');
  }
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(parsed)) {
    const values: unknown[] = Array.isArray(v) ? v : [v];
    for (const one of values) {
      if (typeof one !== 'string') throw new OAuthError('invalid_request', `Parameter ${k} must be a string.`);
      pairs.push([k, one]);
    }
  }
  return pairs;
}

/** The body's parameters; an empty body has none. JSON only when the request says so. */
export async function readBodyParams(req: http.IncomingMessage): Promise<OAuthParams> {
  const text = await readBodyText(req);
  if (text === '') return new OAuthParams([]);
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') return new OAuthParams(jsonPairs(text));
  return OAuthParams.fromSearch(new URLSearchParams(text));
}
