import UsersLs from './ls.js';

/** `hub users` alone lists, like `hub users ls`. */
export default class Users extends UsersLs {
  static override summary = 'List the users of the running hub (same as hub users ls).';
  static override description = `${UsersLs.description}
Subcommands: ls, show, add, rm, rename, admin, block, unblock. Group membership: hub groups.`;
  static override examples = ['<%= config.bin %> users', '<%= config.bin %> users --json'];
}
