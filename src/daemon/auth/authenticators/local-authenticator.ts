import { execFile } from 'node:child_process';
import { HubError } from '../../../lib/errors.js';
import type { LocalAuthenticatorConfig } from '../../../lib/config/index.js';
import { BaseAuthenticator, type AuthenticatorOptions, type BaseAuthenticatorConfig } from './base-authenticator.js';
import { unixAccounts, type UnixAccounts } from './unix-accounts.js';
import type { AuthModel } from './types.js';

export type LocalConfig = BaseAuthenticatorConfig &
  Pick<LocalAuthenticatorConfig, 'create_system_users' | 'add_user_cmd' | 'allowed_groups' | 'uids'>;

export interface LocalOptions<C extends LocalConfig = LocalConfig> extends AuthenticatorOptions<C> {
  /** Where accounts are looked up; tests may substitute one. */
  accounts?: UnixAccounts;
}

/**
 * JupyterHub's LocalAuthenticator: users are unix accounts. `allowed_groups` (unix groups, by their member
 * lists) replaces allowed_users when set; `addUser` checks the account exists and, with create_system_users,
 * creates it with add_user_cmd (USERNAME replaced, `--uid` from `uids`, the name appended).
 */
export abstract class LocalAuthenticator extends BaseAuthenticator {
  protected readonly accounts: UnixAccounts;
  private readonly local: Pick<LocalAuthenticatorConfig, 'create_system_users' | 'add_user_cmd' | 'allowed_groups' | 'uids'>;

  constructor(opts: LocalOptions) {
    super(opts);
    this.accounts = opts.accounts ?? unixAccounts();
    const c = opts.config;
    this.local = { create_system_users: c.create_system_users, add_user_cmd: c.add_user_cmd, allowed_groups: c.allowed_groups, uids: c.uids };
    if (c.allowed_groups.length > 0 && c.allowed_users.length > 0) {
      this.log.warn('Ignoring Authenticator.allowed_users set because Authenticator.allowed_groups supplied!');
    }
  }

  override async checkAllowed(name: string, auth: AuthModel): Promise<boolean> {
    if (this.local.allowed_groups.length === 0) return super.checkAllowed(name, auth);
    return this.checkAllowedGroups(name);
  }

  /** JupyterHub 3.0 looks at each group's member list (gr_mem), not at the user's primary group. */
  protected async checkAllowedGroups(name: string): Promise<boolean> {
    for (const groupName of this.local.allowed_groups) {
      const group = await this.accounts.getgrnam(groupName);
      if (group === null) {
        this.log.error(`No such group: [${groupName}]`);
        continue;
      }
      if (group.members.includes(name)) return true;
    }
    return false;
  }

  async systemUserExists(name: string): Promise<boolean> {
    return (await this.accounts.getpwnam(name)) !== null;
  }

  override async addUser(name: string): Promise<void> {
    if (!this.validateUsername(name)) throw new HubError('USAGE', `Invalid username: ${name}`);
    if (!(await this.systemUserExists(name))) {
      if (!this.local.create_system_users) {
        throw new HubError('NOT_FOUND', `User ${name} does not exist on the system.`, {
          hint: 'Set LocalAuthenticator.create_system_users=true to create system users from hub users, or create the account first.',
        });
      }
      await this.addSystemUser(name);
    }
    await super.addUser(name);
  }

  /** Runs add_user_cmd without a shell; the name is one argument, never parsed as shell text. */
  async addSystemUser(name: string): Promise<void> {
    // A leading '-' would be read as an option by adduser/useradd: refuse rather than let a name become a flag.
    if (name.startsWith('-')) throw new HubError('USAGE', `Refusing to create a system user whose name starts with '-': ${name}`);
    const cmd = this.local.add_user_cmd.map((arg) => arg.replaceAll('USERNAME', name));
    const uid = this.local.uids[name];
    if (uid !== undefined) cmd.push('--uid', String(uid));
    cmd.push(name);
    const [file, ...args] = cmd;
    if (file === undefined) throw new HubError('CONFIG_INVALID', 'LocalAuthenticator.add_user_cmd is empty');
    this.log.info(`Creating user: ${cmd.map((a) => JSON.stringify(a)).join(' ')}`);
    await new Promise<void>((resolve, reject) => {
      execFile(file, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
        if (!err) return resolve();
        const output = `${stdout}${stderr}`.trim() || err.message;
        reject(new HubError('INTERNAL', `Failed to create system user ${name}: ${output}`, { hint: 'Check LocalAuthenticator.add_user_cmd and that the hub runs as root.' }));
      });
    });
  }
}
