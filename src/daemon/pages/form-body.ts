import type http from 'node:http';
import { ApiError } from '../api/http-util.js';

/**
 * HTML form bodies: application/x-www-form-urlencoded, and multipart/form-data (JupyterHub 3.0's spawn.html
 * sends its options form so, and tornado parses it for every handler, file uploads included). Parsed once per
 * request and remembered, because the XSRF gate may have to read the body (to find `_xsrf`) before the page
 * handler runs.
 */
const MAX_FORM_BYTES = 256 * 1024;
/** Uploads on the spawn form are files; tornado takes 100 MB, hub keeps a multipart body in memory and takes 10 MiB. */
const MAX_MULTIPART_BYTES = 10 * 1024 * 1024;

/** One uploaded file, as tornado's HTTPFile that JupyterHub hands to options_from_form. */
export interface UploadedFile {
  filename: string;
  body: Buffer;
  content_type: string;
}

export type FormFiles = Record<string, UploadedFile[]>;

const parsed = new WeakMap<http.IncomingMessage, { form: URLSearchParams; files: FormFiles }>();

function mediaType(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function isUrlencodedForm(req: http.IncomingMessage): boolean {
  return mediaType(req) === 'application/x-www-form-urlencoded';
}

export function isMultipartForm(req: http.IncomingMessage): boolean {
  return mediaType(req) === 'multipart/form-data';
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? '0') > limit) throw new ApiError(413, `form larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new ApiError(413, `form larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** multipart/form-data through the WHATWG parser Node ships (undici's Request.formData). */
async function parseMultipart(req: http.IncomingMessage): Promise<{ form: URLSearchParams; files: FormFiles }> {
  const body = await readBody(req, MAX_MULTIPART_BYTES);
  let data: FormData;
  try {
    data = await new Request('http://form.invalid/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
  } catch (err) {
    throw new ApiError(400, `malformed multipart/form-data body: ${err instanceof Error ? err.message : String(err)}`);
  }
  const form = new URLSearchParams();
  const files: FormFiles = {};
  for (const [name, value] of data) {
    if (typeof value === 'string') form.append(name, value);
    else (files[name] ??= []).push({ filename: value.name, body: Buffer.from(await value.arrayBuffer()), content_type: value.type || 'application/unknown' });
  }
  return { form, files };
}

async function parse(req: http.IncomingMessage): Promise<{ form: URLSearchParams; files: FormFiles }> {
  const known = parsed.get(req);
  if (known !== undefined) return known;
  let out: { form: URLSearchParams; files: FormFiles } = { form: new URLSearchParams(), files: {} };
  if (isUrlencodedForm(req)) out = { form: new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8')), files: {} };
  else if (isMultipartForm(req)) out = await parseMultipart(req);
  parsed.set(req, out);
  return out;
}

/** The form fields; empty for a body of another type. */
export async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return (await parse(req)).form;
}

/** The files of a multipart form by field name; empty for any other body. */
export async function readFormFiles(req: http.IncomingMessage): Promise<FormFiles> {
  return (await parse(req)).files;
}

/** One field as a string ('' when absent). */
export function field(form: URLSearchParams, name: string): string {
  return form.get(name) ?? '';
}
