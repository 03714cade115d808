import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { createServiceToken, createToken } from '../../lib/client/queries.js';
import { HubError } from '../../lib/errors.js';
import type { CreatedToken } from '../../lib/client/models.js';

export default class TokensCreate extends HubCommand<typeof TokensCreate> {
  static override summary = "Create an API token for a user or a service and print it once, alone on stdout.";

  static override description = `POST /hub/api/users/USER/tokens. The secret is printed once and never again (hub stores only its hash), alone on stdout so it pipes: TOKEN=$(hub tokens create --user alice).
Without --scopes the token has the user's own permissions (JupyterHub's default). --json prints the token model with the secret in "token".
With --service the token belongs to a service (POST /hub/ext/services/NAME/tokens: JupyterHub's API has no such endpoint), e.g. to rotate its credentials: create the new token, give it to the service, then revoke the old one.`;

  static override examples = [
    '<%= config.bin %> tokens create --user alice',
    '<%= config.bin %> tokens create --user grader --scopes read:users,servers --expires-in 30d --note "grading bot"',
    'export JUPYTERHUB_API_TOKEN=$(<%= config.bin %> tokens create --user alice --expires-in 1h)',
    '<%= config.bin %> tokens create --service idle-culler --note "rotated 2026-11"',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    user: Flags.string({ char: 'u', summary: 'The user the token acts as.', exactlyOne: ['user', 'service'] }),
    service: Flags.string({ char: 's', summary: 'The service the token belongs to.', exactlyOne: ['user', 'service'] }),
    scopes: Flags.string({ summary: 'Scopes, comma-separated (default: all of the user\'s own).', multiple: true, delimiter: ',' }),
    'expires-in': Flags.string({ summary: 'Lifetime: 90s, 30m, 12h, 30d, 1w, or seconds (default: never expires).' }),
    note: Flags.string({ summary: 'A note to recognise the token by in hub tokens ls.' }),
  };

  async run(): Promise<CreatedToken> {
    const f = this.flags;
    const expires = f['expires-in'] === undefined ? undefined : parseDuration(f['expires-in'], '--expires-in');
    const scopes = f.scopes?.map((s) => s.trim()).filter((s) => s !== '');
    // An empty list would reach the API as "no scopes asked": a token with all of the user's permissions. A
    // `--scopes "$SCOPES"` whose variable is empty must not mint that.
    if (scopes?.length === 0) {
      throw new HubError('USAGE', '--scopes names no scope', { hint: 'Give scopes, e.g. --scopes read:users,servers, or leave out --scopes for a token with all of the user\'s permissions.' });
    }
    const spec = {
      ...(scopes ? { scopes } : {}),
      ...(expires !== undefined ? { expiresInSeconds: expires } : {}),
      ...(f.note !== undefined ? { note: f.note } : {}),
    };
    const client = await this.client();
    const token = f.service !== undefined ? await createServiceToken(client, f.service, spec) : await createToken(client, f.user ?? '', spec);
    // Only the secret on stdout; what it is goes to stderr, so `$(hub tokens create ...)` captures the token alone.
    this.log(token.token);
    if (!this.jsonEnabled()) this.logToStderr(`token ${token.id} for ${f.service !== undefined ? `service ${f.service}` : f.user ?? ''}${token.expires_at ? `, expires ${token.expires_at}` : ''}; it is shown only now`);
    return token;
  }
}
