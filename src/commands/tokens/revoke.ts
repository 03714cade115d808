import { Args, Flags } from '@oclif/core';
import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { HubError } from '../../lib/errors.js';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { findToken, listTokens, revokeToken } from '../../lib/client/queries.js';
import type { TokenModel } from '../../lib/client/models.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';
import { tokenOwner } from '../../ui/columns.js';

export default class TokensRevoke extends HubCommand<typeof TokensRevoke> {
  static override summary = "Revoke a token by id, or every token of a user with --user NAME --all (asks first).";

  static override description = `DELETE /hub/api/users/USER/tokens/ID; the owner of an id is found with GET /hub/ext/tokens.
--all also revokes the tokens of the user's running servers and OAuth logins: their servers lose access to the hub API until restarted.
On a terminal it asks; elsewhere it needs --answer-yes (or --force).`;

  static override examples = ['<%= config.bin %> tokens revoke a42', '<%= config.bin %> tokens revoke --user alice --all --answer-yes'];

  static override enableJsonFlag = true;

  static override args = {
    id: Args.string({ description: 'Token id (a1, a2, ...: see hub tokens ls).' }),
  };

  static override flags = {
    ...confirmFlags,
    user: Flags.string({ char: 'u', summary: "With --all: this user's tokens." }),
    all: Flags.boolean({ summary: 'Every token of --user.', dependsOn: ['user'] }),
  };

  async run(): Promise<OutcomeRow[]> {
    const tokens = await this.targets();
    if (tokens.length === 0) {
      this.log('no tokens to revoke');
      return [];
    }
    const what = tokens.length === 1 ? `token ${tokens[0]?.id ?? ''} of ${tokenOwner(tokens[0] as TokenModel)}` : `all ${tokens.length} tokens of ${this.flags.user ?? ''}`;
    await this.confirmAction(`Revoke ${what}?`);
    const client = await this.client();
    const results = await runBatch(tokens, async (t) => {
      await revokeToken(client, t);
      return 'revoked';
    });
    const rows = outcomeRows(results, (t) => `${t.id} (${tokenOwner(t)})`);
    this.log(renderOutcomes('TOKEN', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'revocations'));
  }

  private async targets(): Promise<TokenModel[]> {
    const client = await this.client();
    const { id } = this.args;
    const { user, all } = this.flags;
    if (id !== undefined && all) throw new HubError('USAGE', 'give a token id or --user NAME --all, not both');
    if (id !== undefined) {
      const token = await findToken(client, id);
      if (user !== undefined && token.user !== user) throw new HubError('NOT_FOUND', `${user} has no token ${id}`, { hint: `hub tokens ls --user ${user}` });
      return [token];
    }
    if (user !== undefined && all) return listTokens(client, { user });
    throw new HubError('USAGE', 'which token? give its id, or --user NAME --all', { hint: 'hub tokens ls shows the ids.' });
  }
}
