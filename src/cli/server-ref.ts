import { HubError } from '../lib/errors.js';

/**
 * `alice` is alice's default server, `alice/gpu` her server named gpu. Server names cannot contain a slash
 * (JupyterHub refuses them), so the last slash separates; `alice/` is the default server too.
 */
export interface ServerRef {
  user: string;
  name: string;
}

export function parseServerRef(text: string): ServerRef {
  const i = text.lastIndexOf('/');
  const ref = i < 0 ? { user: text, name: '' } : { user: text.slice(0, i), name: text.slice(i + 1) };
  if (ref.user === '') throw new HubError('USAGE', `${JSON.stringify(text)} names no user`, { hint: 'Write USER for the default server or USER/NAME for a named one.' });
  return ref;
}

export function formatServerRef(r: ServerRef): string {
  return r.name === '' ? r.user : `${r.user}/${r.name}`;
}

/** "alice's server" / "alice's server gpu", for messages and prompts. */
export function describeServer(r: ServerRef): string {
  return r.name === '' ? `${r.user}'s server` : `${r.user}'s server ${r.name}`;
}
