import GroupsLs from './ls.js';

/** `hub groups` alone lists, like `hub groups ls`. */
export default class Groups extends GroupsLs {
  static override summary = 'List groups (same as hub groups ls); manage groups and their members.';
  static override description = `${GroupsLs.description}
Subcommands: ls, show, add, rm, members add, members rm. Users of a group: hub users ls --group NAME.`;
  static override examples = ['<%= config.bin %> groups', '<%= config.bin %> groups members add cs101 alice bob'];
}
