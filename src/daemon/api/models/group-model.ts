/**
 * apihandlers/base.py `group_model`, filtered by the scopes module's `filterGroupModel`. `properties` is JupyterHub
 * 3.2's addition (shown with read:groups, like `users`), kept because hub also serves PUT /groups/{name}/properties.
 */
import { filterGroupModel, type ExpandedScopes } from '../../auth/scopes/index.js';

export interface GroupData {
  name: string;
  roles: readonly string[];
  users: readonly string[];
  properties: Record<string, unknown>;
}

export function groupModel(held: ExpandedScopes, g: GroupData): Record<string, unknown> {
  const out = filterGroupModel(held, g.name, { kind: 'group', name: g.name, roles: [...g.roles], users: [...g.users] });
  // 4.x's access map gives properties to read:groups, exactly the scope that shows `users`.
  if ('users' in out) out.properties = g.properties;
  return out;
}
