import TokensLs from './ls.js';

/** `hub tokens` alone lists, like `hub tokens ls`. */
export default class Tokens extends TokensLs {
  static override summary = 'List API tokens (same as hub tokens ls).';
  static override description = `${TokensLs.description}
Subcommands: ls, create, revoke.`;
  static override examples = ['<%= config.bin %> tokens', '<%= config.bin %> tokens --user alice'];
}
