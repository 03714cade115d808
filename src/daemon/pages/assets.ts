import { createReadStream, existsSync, promises as fs, readdirSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PageError } from './respond.js';

/**
 * hub's own templates/ and static/ (at the package root, beside dist/), or `<data_files_path>/templates` and
 * `/static` when JupyterHub.data_files_path is set, and the files served from them.
 */
export interface AssetDirs {
  templates: string;
  static: string;
}

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'templates', 'page.html')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('cannot find hub\'s templates/ directory next to its package.json');
}

/** The pages hub renders: the names in its own templates/ directory. */
export function hubTemplateNames(): string[] {
  return readdirSync(path.join(packageRoot(), 'templates')).filter((f) => f.endsWith('.html')).sort();
}

export function assetDirs(dataFilesPath: string): AssetDirs {
  const root = dataFilesPath !== '' ? path.resolve(dataFilesPath) : packageRoot();
  return { templates: path.join(root, 'templates'), static: path.join(root, 'static') };
}

const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.ico': 'image/x-icon', '.webp': 'image/webp',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.map': 'application/json', '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Sends one file; `cacheForever` when the URL carries a version (?v=), else browsers revalidate. */
export async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, cacheForever: boolean): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new PageError(404, 'File not found');
  }
  if (!stat.isFile()) throw new PageError(404, 'File not found');
  res.statusCode = 200;
  res.setHeader('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', stat.size);
  res.setHeader('Cache-Control', cacheForever ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.setHeader('Last-Modified', stat.mtime.toUTCString());
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on('error', reject);
    res.on('close', () => resolve());
    stream.pipe(res);
  });
}

/** A path under `root` for the URL-decoded segments, or a 404: no '..', no hidden files, no escaping the root. */
export function resolveUnder(root: string, segments: readonly string[]): string {
  if (segments.length === 0 || segments.some((s) => s === '' || s.startsWith('.') || s.includes('/') || s.includes('\\') || s.includes('\0'))) {
    throw new PageError(404, 'File not found');
  }
  const file = path.resolve(root, ...segments);
  if (!file.startsWith(path.resolve(root) + path.sep)) throw new PageError(404, 'File not found');
  return file;
}
