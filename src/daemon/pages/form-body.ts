import type http from 'node:http';
import { ApiError } from '../api/http-util.js';

/**
 * HTML form bodies (application/x-www-form-urlencoded). Parsed once per request and remembered, because the
 * XSRF gate may have to read the body (to find `_xsrf`) before the page handler runs.
 */
const MAX_FORM_BYTES = 256 * 1024;
const parsed = new WeakMap<http.IncomingMessage, URLSearchParams>();

export function isUrlencodedForm(req: http.IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

/** The form fields; empty for a body of another type (multipart forms put `_xsrf` in the action URL). */
export async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const known = parsed.get(req);
  if (known !== undefined) return known;
  if (!isUrlencodedForm(req)) {
    const empty = new URLSearchParams();
    parsed.set(req, empty);
    return empty;
  }
  if (Number(req.headers['content-length'] ?? '0') > MAX_FORM_BYTES) throw new ApiError(413, `form larger than ${MAX_FORM_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_FORM_BYTES) throw new ApiError(413, `form larger than ${MAX_FORM_BYTES} bytes`);
    chunks.push(buf);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  parsed.set(req, form);
  return form;
}

/** One field as a string ('' when absent). */
export function field(form: URLSearchParams, name: string): string {
  return form.get(name) ?? '';
}
