import { HubError, isHubError } from '../errors.js';
import type { HubClient } from './hub-client.js';
import { asGroup, asGroupPage, type GroupModel } from './models.js';
import { apiPath, groupPath, orNotFound } from './paths.js';

/** Typed calls of JupyterHub's group API: groups and their members. */
const PAGE = 200;
const LIST_HINT = 'hub groups ls lists the groups; hub groups add NAME creates one.';

export async function listGroups(client: HubClient): Promise<GroupModel[]> {
  const groups: GroupModel[] = [];
  let offset = 0;
  for (;;) {
    const params = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    const page = asGroupPage(await client.get(apiPath('groups', params), { headers: { accept: 'application/jupyterhub-pagination+json' } }));
    groups.push(...page.items);
    if (!page.next || page.items.length === 0) return groups;
    offset = page.next.offset;
  }
}

export async function getGroup(client: HubClient, name: string): Promise<GroupModel> {
  return asGroup(await orNotFound(client.get(groupPath(name)), `no such group: ${name}`, LIST_HINT));
}

/** Creates the group; `false` when it already existed (409), which `hub groups add` treats as done. */
export async function createGroup(client: HubClient, name: string): Promise<boolean> {
  const res = await client.post(groupPath(name), undefined, { accept: [409] });
  return res.status !== 409;
}

export async function deleteGroup(client: HubClient, name: string): Promise<void> {
  await orNotFound(client.delete(groupPath(name)), `no such group: ${name}`, LIST_HINT);
}

/**
 * JupyterHub answers an unknown member with 400 `No such user: NAME` and changes nothing: that is a not-found here
 * (exit code 13), with the fix.
 */
async function orUnknownMember<T>(call: Promise<T>, group: string): Promise<T> {
  return call.catch((err: unknown) => {
    const name = isHubError(err) ? /^No such user: (.*)$/.exec(err.message)?.[1] : undefined;
    if (name === undefined) throw err;
    throw new HubError('NOT_FOUND', `no such user: ${name}; group ${group} was left as it was`, { hint: `hub users add ${name} creates the user; hub users ls lists the users.` });
  });
}

export async function addMembers(client: HubClient, group: string, users: string[]): Promise<GroupModel> {
  return asGroup((await orUnknownMember(client.post(`${groupPath(group)}/users`, { users }), group)).body);
}

export async function removeMembers(client: HubClient, group: string, users: string[]): Promise<void> {
  await orUnknownMember(client.delete(`${groupPath(group)}/users`, { users }), group);
}
