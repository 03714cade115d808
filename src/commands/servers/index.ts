import ServersLs from './ls.js';

/** `hub servers` alone lists, like `hub servers ls`. */
export default class Servers extends ServersLs {
  static override summary = 'List single-user servers (same as hub servers ls).';
  static override examples = ['<%= config.bin %> servers', '<%= config.bin %> servers --all'];
}
