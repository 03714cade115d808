import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { listTokens } from '../../lib/client/queries.js';
import type { TokenModel } from '../../lib/client/models.js';
import { ago, renderTable, terminalWidth } from '../../ui/table.js';

export default class TokensLs extends HubCommand<typeof TokensLs> {
  static override summary = 'List API tokens (never the secrets): of one user, or of everyone.';

  static override description = 'Shows id, owner, scopes, note, created, expires and last use. Expired tokens are not listed. --json prints the same tokens as JupyterHub token models.';

  static override examples = ['<%= config.bin %> tokens ls', '<%= config.bin %> tokens ls --user alice --json'];

  static override enableJsonFlag = true;

  static override flags = {
    user: Flags.string({ char: 'u', summary: "Only this user's tokens." }),
  };

  async run(): Promise<TokenModel[]> {
    const tokens = await listTokens(await this.client(), this.flags.user ? { user: this.flags.user } : {});
    if (tokens.length === 0) {
      this.log('no tokens');
      return tokens;
    }
    this.log(
      renderTable(
        [
          { header: 'ID', get: (t: TokenModel) => t.id },
          { header: 'OWNER', get: (t) => (t.user !== undefined ? t.user : `service:${t.service ?? '?'}`), shrink: true },
          { header: 'SCOPES', get: (t) => (t.scopes.length > 0 ? t.scopes.join(' ') : '(inherit)'), shrink: true },
          { header: 'NOTE', get: (t) => t.note ?? '', shrink: true },
          { header: 'CREATED', get: (t) => ago(t.created) },
          { header: 'EXPIRES', get: (t) => t.expires_at ?? 'never' },
          { header: 'LAST USED', get: (t) => ago(t.last_activity) },
        ],
        tokens,
        terminalWidth(),
      ),
    );
    return tokens;
  }
}
