/**
 * JupyterHub's alembic revisions we can name, so that a database we cannot adopt gets a message saying
 * what made it and what to do, instead of "unknown". Adoptable revisions are the ones our migrations
 * record (migrations/index.ts); these are the others.
 */

/** Revisions before 3.0's head, oldest first, with their titles (jupyterhub/alembic/versions in 3.0). */
export const OLDER_JUPYTERHUB_REVISIONS: ReadonlyMap<string, string> = new Map([
  ['19c0846f6344', 'base revision for 0.5'],
  ['eeb276e51423', 'auth_state'],
  ['af4cbdb2d13c', 'services'],
  ['3ec6993fe20c', 'encrypted_auth_state'],
  ['1cebaf56856c', 'session_id'],
  ['56cc5a70207e', 'token_tracking'],
  ['99a28a4418e1', 'user_created'],
  ['d68c98b66cd4', 'client_description'],
  ['896818069c98', 'token_expires'],
  ['4dc2d5a8c53c', 'user_options'],
  ['833da8570507', 'rbac (JupyterHub 2.x)'],
]);

/** Revisions after the newest one we mirror, from later JupyterHub releases. */
export const NEWER_JUPYTERHUB_REVISIONS: ReadonlyMap<string, string> = new Map([
  ['3c2384c5aae1', 'JupyterHub 5.0 (services from config)'],
  ['4621fec11365', 'JupyterHub 5.0 (roles managed by auth, shares)'],
]);
