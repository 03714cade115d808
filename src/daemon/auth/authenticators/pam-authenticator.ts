import type http from 'node:http';
import { HubError } from '../../../lib/errors.js';
import type { PAMAuthenticatorConfig } from '../../../lib/config/index.js';
import { LocalAuthenticator, type LocalConfig, type LocalOptions } from './local-authenticator.js';
import { loadPamBinding, PAM_BUILD_HINT, type PamBinding } from './pam-binding.js';
import type { AuthenticateResult, AuthModel, HookUser, LoginData } from './types.js';

export type PamConfig = LocalConfig &
  Pick<PAMAuthenticatorConfig, 'service' | 'encoding' | 'open_sessions' | 'check_account' | 'admin_groups' | 'pam_normalize_username'>;

/** Python codec names an admin may have written, as Node's Buffer encodings. */
const ENCODINGS: Readonly<Record<string, BufferEncoding>> = {
  'utf8': 'utf8', 'utf-8': 'utf8', 'latin1': 'latin1', 'latin-1': 'latin1', 'iso-8859-1': 'latin1', 'iso8859-1': 'latin1',
  'l1': 'latin1', 'ascii': 'ascii', 'us-ascii': 'ascii', 'utf-16-le': 'utf16le', 'utf16le': 'utf16le',
};

export function pamEncoding(name: string): BufferEncoding {
  const e = ENCODINGS[name.trim().toLowerCase().replaceAll('_', '-')];
  if (e === undefined) {
    throw new HubError('CONFIG_INVALID', `PAMAuthenticator.encoding ${JSON.stringify(name)} is not supported`, { hint: `Use one of: ${Object.keys(ENCODINGS).join(', ')}` });
  }
  return e;
}

/**
 * JupyterHub's PAMAuthenticator on the system's PAM stack: `service` (default 'login') authenticates,
 * `check_account` runs the account stack too, `admin_groups` makes members of those unix groups admins,
 * `open_sessions` opens a PAM session before each spawn and closes it after the stop (and turns itself off
 * after the first failure, as JupyterHub does).
 */
export class PAMAuthenticator extends LocalAuthenticator {
  readonly className = 'PAMAuthenticator';
  private readonly pam: Pick<PAMAuthenticatorConfig, 'service' | 'check_account' | 'admin_groups' | 'pam_normalize_username'>;
  private readonly encoding: BufferEncoding;
  private openSessions: boolean;
  private readonly binding: PamBinding | null;

  constructor(opts: LocalOptions<PamConfig>, binding?: PamBinding) {
    super(opts);
    const c = opts.config;
    this.pam = { service: c.service, check_account: c.check_account, admin_groups: c.admin_groups, pam_normalize_username: c.pam_normalize_username };
    this.encoding = pamEncoding(c.encoding);
    this.openSessions = c.open_sessions;
    const loaded = binding === undefined ? loadPamBinding() : { binding };
    this.binding = 'binding' in loaded ? loaded.binding : null;
    if ('error' in loaded) this.log.error(`PAM is unavailable, so nobody can log in: ${loaded.error.message}`);
  }

  private requireBinding(): PamBinding {
    if (this.binding === null) throw new HubError('NOT_IMPLEMENTED', 'PAM authentication is unavailable: the PAM addon is not built', { hint: PAM_BUILD_HINT });
    return this.binding;
  }

  private bytes(s: string): Buffer {
    return Buffer.from(s, this.encoding);
  }

  async authenticate(data: LoginData): Promise<AuthenticateResult> {
    const pam = this.requireBinding();
    const username = data.username;
    // PAM cannot take a NUL byte; such a name or password can only be wrong.
    if (username.includes('\0') || data.password.includes('\0') || username === '') return null;
    try {
      await pam.authenticate(this.bytes(this.pam.service), this.bytes(username), this.bytes(data.password), this.pam.check_account);
    } catch (err) {
      this.log.warn(`PAM Authentication failed for ${JSON.stringify(username)}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
    return username;
  }

  /** admin_users first; then, authoritatively, membership of admin_groups. A lookup failure is our 500, not their "no". */
  override async isAdmin(req: http.IncomingMessage | null, auth: AuthModel): Promise<boolean | null> {
    const listed = await super.isAdmin(req, auth);
    if (listed === true || this.pam.admin_groups.length === 0) return listed;
    const adminGids = new Set<number>();
    for (const name of this.pam.admin_groups) {
      const group = await this.accounts.getgrnam(name);
      if (group === null) throw new HubError('CONFIG_INVALID', `PAM Admin Group Check failed: no such group ${JSON.stringify(name)}`, { hint: 'Fix PAMAuthenticator.admin_groups.' });
      adminGids.add(group.gid);
    }
    const pw = await this.accounts.getpwnam(auth.name);
    if (pw === null) throw new HubError('NOT_FOUND', `PAM Admin Group Check failed: no unix account ${JSON.stringify(auth.name)}`);
    const gids = await this.accounts.getgrouplist(auth.name, pw.gid);
    return gids.some((g) => adminGids.has(g));
  }

  override normalizeUsername(name: string): string {
    if (!this.pam.pam_normalize_username || this.binding === null || name.includes('\0')) return super.normalizeUsername(name);
    // Several spellings may name one account (DOMAIN\user via winbind): take the account's own name.
    const pw = this.binding.getpwnam(name);
    return super.normalizeUsername(pw === null ? name : pw.name);
  }

  override async preSpawnStart(user: HookUser): Promise<void> {
    if (!this.openSessions) return;
    try {
      await this.requireBinding().openSession(this.bytes(this.pam.service), this.bytes(user.name));
    } catch (err) {
      this.disableSessions(`Failed to open PAM session for ${user.name}`, err);
    }
  }

  override async postSpawnStop(user: HookUser): Promise<void> {
    if (!this.openSessions) return;
    try {
      await this.requireBinding().closeSession(this.bytes(this.pam.service), this.bytes(user.name));
    } catch (err) {
      this.disableSessions(`Failed to close PAM session for ${user.name}`, err);
    }
  }

  /** JupyterHub's session lifecycle is known to be imperfect; one failure switches sessions off for good. */
  private disableSessions(what: string, err: unknown): void {
    this.log.warn(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    this.log.warn('Disabling PAM sessions from now on.');
    this.openSessions = false;
  }

  get sessionsEnabled(): boolean {
    return this.openSessions;
  }
}
