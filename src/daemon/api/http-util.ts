import type http from 'node:http';
import { HUB_VERSION, HUB_VERSION_HEADER, JUPYTERHUB_API_VERSION } from '../../lib/version.js';

/** An error the API answers with JupyterHub's JSON shape `{status, message}`; never a stack, never a 500 for bad input. */
export class ApiError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export const MAX_BODY_BYTES = 1024 * 1024;

export function commonHeaders(res: http.ServerResponse): void {
  res.setHeader('X-JupyterHub-Version', JUPYTERHUB_API_VERSION);
  res.setHeader(HUB_VERSION_HEADER, HUB_VERSION);
}

/**
 * JupyterHub's APIHandler answers `Content-Type: application/json` exactly (no charset: JSON is UTF-8 by definition,
 * RFC 8259), on every reply but a 204, whose representation headers tornado removes.
 */
export const JSON_CONTENT_TYPE = 'application/json';

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An empty reply: a 204 has no Content-Type; anything else keeps JupyterHub's application/json (with no body). */
export function sendEmpty(res: http.ServerResponse, status: number): void {
  res.writeHead(status, status === 204 ? {} : { 'content-type': JSON_CONTENT_TYPE, 'content-length': 0 });
  res.end();
}

export function sendError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.status, { status: err.status, message: err.message }, err.headers);
}

/** The raw body, refused with 413 past MAX_BODY_BYTES (announced or actual): every body reader starts here. */
export async function readBodyBytes(req: http.IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** JupyterHub's timestamps: ISO 8601 UTC with a Z. */
export function isoZ(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/**
 * JupyterHub's `get_json_body`: no body is `undefined` (Python's None); anything that is not UTF-8 JSON is the
 * client's 400 with JupyterHub's message. Stricter than Node's decoder: invalid UTF-8 is refused, not replaced.
 */
export async function readJsonRequest(req: http.IncomingMessage): Promise<unknown> {
  const bytes = await readBodyBytes(req);
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
  } catch {
    throw new ApiError(400, 'Invalid JSON in body of request: not UTF-8');
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'Invalid JSON in body of request');
  }
}

/** An empty reply with JupyterHub's `Content-Type: text/plain` (server start/stop), which a 204 loses as in tornado. */
export function sendPlain(res: http.ServerResponse, status: number): void {
  if (status === 204) return sendEmpty(res, 204);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 0 });
  res.end();
}

/** A reply whose JSON text was already built (hot paths serialise once, without an intermediate object). */
export function sendJsonText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
