import chalk from 'chalk';
import type { GroupModel, TokenModel, UserModel } from '../lib/client/models.js';
import type { ServerRow } from '../lib/client/servers-api.js';
import { duration, stateColor, until } from './format.js';
import { ago, type Column } from './table.js';

/** The tables of `hub users|servers|tokens|groups`: one definition each, so ls and show agree. */

export const userColumns: Column<UserModel>[] = [
  { header: 'NAME', get: (u) => u.name, shrink: true },
  { header: 'ADMIN', get: (u) => (u.admin ? 'yes' : ''), color: () => chalk.cyan },
  { header: 'GROUPS', get: (u) => u.groups.join(','), shrink: true },
  { header: 'SERVERS', get: (u) => String(Object.values(u.servers).filter((s) => s.stopped !== true).length), align: 'right' },
  { header: 'LAST ACTIVITY', get: (u) => ago(u.last_activity) },
  { header: 'CREATED', get: (u) => ago(u.created) },
];

export function serverName(name: string): string {
  return name === '' ? '(default)' : name;
}

export const serverColumns: Column<ServerRow>[] = [
  { header: 'USER', get: (s) => s.user, shrink: true },
  { header: 'SERVER', get: (s) => serverName(s.name), shrink: true },
  { header: 'STATE', get: (s) => s.state, color: (s) => stateColor(s.state) },
  { header: 'URL', get: (s) => s.url, shrink: true },
  { header: 'STARTED', get: (s) => ago(s.started) },
  { header: 'LAST ACTIVITY', get: (s) => ago(s.last_activity) },
  { header: 'UPTIME', get: (s) => duration(s.uptime_seconds), align: 'right' },
];

export function tokenOwner(t: TokenModel): string {
  return t.user !== undefined ? t.user : `service:${t.service ?? '?'}`;
}

export const tokenColumns: Column<TokenModel>[] = [
  { header: 'ID', get: (t) => t.id },
  { header: 'PREFIX', get: (t) => t.prefix ?? '' },
  { header: 'OWNER', get: tokenOwner, shrink: true },
  { header: 'SCOPES', get: (t) => (t.scopes.length > 0 ? t.scopes.join(' ') : '(inherit)'), shrink: true },
  { header: 'NOTE', get: (t) => t.note ?? '', shrink: true },
  { header: 'CREATED', get: (t) => ago(t.created) },
  { header: 'EXPIRES', get: (t) => (t.expires_at ? until(t.expires_at) : 'never') },
  { header: 'LAST USED', get: (t) => ago(t.last_activity) },
];

export const groupColumns: Column<GroupModel>[] = [
  { header: 'NAME', get: (g) => g.name, shrink: true },
  { header: 'MEMBERS', get: (g) => String(g.users.length), align: 'right' },
  { header: 'USERS', get: (g) => g.users.join(','), shrink: true },
  { header: 'ROLES', get: (g) => g.roles.join(','), shrink: true },
];

/** `KEY  value` lines for the `show` commands. */
export function keyValues(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${chalk.bold(k.padEnd(w))}  ${v}`).join('\n');
}
