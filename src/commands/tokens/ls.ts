import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { listTokens } from '../../lib/client/queries.js';
import type { TokenModel } from '../../lib/client/models.js';
import { tokenColumns } from '../../ui/columns.js';
import { renderTable } from '../../ui/table.js';

export default class TokensLs extends HubCommand<typeof TokensLs> {
  static override summary = 'List API tokens (never the secrets): of one user, one service, or everyone.';

  static override description = `GET /hub/ext/tokens (every owner's tokens, with the prefix that JupyterHub's per-user listing lacks), filtered by --user or --service.
Shows id, prefix (the secret's first characters, to recognise a token you hold), owner, scopes, note, created, expiry and last use. Expired tokens are not listed. --json prints the same tokens as JupyterHub token models plus prefix.`;

  static override examples = ['<%= config.bin %> tokens ls', '<%= config.bin %> tokens ls --user alice --json', '<%= config.bin %> tokens ls --service announcer'];

  static override enableJsonFlag = true;

  static override flags = {
    user: Flags.string({ char: 'u', summary: "Only this user's tokens.", exclusive: ['service'] }),
    service: Flags.string({ char: 's', summary: "Only this service's tokens.", exclusive: ['user'] }),
  };

  async run(): Promise<TokenModel[]> {
    const tokens = await listTokens(await this.client(), {
      ...(this.flags.user !== undefined ? { user: this.flags.user } : {}),
      ...(this.flags.service !== undefined ? { service: this.flags.service } : {}),
    });
    this.log(tokens.length === 0 ? 'no tokens' : renderTable(tokenColumns, tokens, this.width()));
    return tokens;
  }
}
