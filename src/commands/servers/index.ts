import ServersLs from './ls.js';

/** `hub servers` alone lists, like `hub servers ls`; its help points at the live dashboard. */
export default class Servers extends ServersLs {
  static override summary = 'List single-user servers (same as hub servers ls); live view: hub top.';
  static override description = `${ServersLs.description}
Subcommands: ls, show, start, stop, rm.`;
  static override examples = ['<%= config.bin %> servers', '<%= config.bin %> servers --all', '<%= config.bin %> top'];
}
