/**
 * Process entry, started by user-certs.ts with the user's uid and gid: reads a CertDirRequest as JSON on
 * stdin, writes the user's certificate directory as that user, prints `{"dir": ...}`. Keys travel over the
 * pipe, never through argv or the environment, which other users can read.
 */
import { isCertDirRequest, writeCertDir } from './user-cert-dir.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const request: unknown = JSON.parse(await readStdin());
  if (!isCertDirRequest(request)) throw new Error('malformed request');
  const dir = await writeCertDir(request);
  process.stdout.write(`${JSON.stringify({ dir })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
