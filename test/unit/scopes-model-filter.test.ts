import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  JUPYTERHUB_3_0_REGISTRY, expandScopes, filterGroupModel, filterServerModel, filterServiceModel, filterUserModel,
  rolesToExpandedScopes, DEFAULT_ROLES, toExpandedScopes, type ExpandedScopes, type Model,
} from '../../src/daemon/auth/scopes/index.js';
import { pyValue, runPythonScopes, type PyResponse, type PyUser } from '../helpers/python-scopes.js';

const MEMBERSHIP: Record<string, string[]> = { alice: ['staff'], bob: ['staff', 'students'], carol: [], dave: ['students'] };
const USERS: PyUser[] = [
  { name: 'alice', admin: true, servers: ['', 'foo'] }, { name: 'bob', servers: ['x'] }, { name: 'carol' }, { name: 'dave', servers: ['y'] },
];
const j3 = (raw: string[], owner?: string): ExpandedScopes =>
  expandScopes(raw, { registry: JUPYTERHUB_3_0_REGISTRY, ...(owner ? { owner: { kind: 'user' as const, name: owner } } : {}) });
const admin = DEFAULT_ROLES.find((r) => r.name === 'admin');

const USER_HELD: ExpandedScopes[] = [
  j3(['read:users:name']), j3(['self'], 'alice'), j3(['read:servers!server=alice/foo']),
  j3(['admin:server_state!user=alice', 'read:servers']), j3(['read:users!group=staff']), j3(['admin:users']),
  j3(['read:roles:users!user=bob']), j3(['users:activity']), j3([]), j3(['read:servers!group=students']),
  rolesToExpandedScopes(admin ? [admin] : [], { kind: 'user', name: 'alice' }, { registry: JUPYTERHUB_3_0_REGISTRY }),
];
const GROUP_HELD = [j3(['read:groups:name']), j3(['read:groups!group=staff']), j3(['read:roles:groups']), j3(['admin:groups!group=students']), j3([])];
const SERVICE_HELD = [j3(['read:services:name!service=svc']), j3(['read:services']), j3(['read:roles:services!service=other']), j3(['list:services'])];
const GROUPS = ['staff', 'students'];
const SERVICES = ['svc', 'other'];

function fullUserModel(u: PyUser): Model {
  return {
    kind: 'user', name: u.name, admin: u.admin ?? false, roles: ['user'], groups: MEMBERSHIP[u.name] ?? [],
    server: null, pending: null, created: null, last_activity: null, auth_state: null,
  };
}

function fullServers(u: PyUser): Map<string, Model> {
  return new Map((u.servers ?? []).map((name) => [name, {
    name, last_activity: null, started: null, pending: null, ready: true, stopped: false, url: `/user/${u.name}/${name}/`,
    user_options: {}, progress_url: '', state: { pid: 1 },
  }]));
}

function keysOf(model: Record<string, unknown>): { keys: string[]; servers: Record<string, string[]> } {
  const servers: Record<string, string[]> = {};
  const raw = model.servers;
  if (typeof raw === 'object' && raw !== null) {
    for (const [name, s] of Object.entries(raw)) servers[name] = Object.keys(s as object).sort();
  }
  return { keys: Object.keys(model).sort(), servers };
}

describe('model filtering vs JupyterHub 3.0 user_model/group_model/service_model', () => {
  let users: PyResponse[] = [];
  let groups: PyResponse[] = [];
  let services: PyResponse[] = [];
  before(async () => {
    const userReqs = USER_HELD.flatMap((held) => USERS.map((user) => ({ op: 'user_model' as const, held: [...held.scopes], user })));
    const groupReqs = GROUP_HELD.flatMap((held) => GROUPS.map((group) => ({ op: 'group_model' as const, held: [...held.scopes], group })));
    const serviceReqs = SERVICE_HELD.flatMap((held) => SERVICES.map((service) => ({ op: 'service_model' as const, held: [...held.scopes], service })));
    const all = await runPythonScopes([...userReqs, ...groupReqs, ...serviceReqs], MEMBERSHIP);
    users = all.slice(0, userReqs.length);
    groups = all.slice(userReqs.length, userReqs.length + groupReqs.length);
    services = all.slice(userReqs.length + groupReqs.length);
  });

  it(`user models keep the same keys and servers (${USER_HELD.length * USERS.length} cases)`, () => {
    let i = 0;
    for (const held of USER_HELD) {
      for (const u of USERS) {
        const ours = filterUserModel(held, { name: u.name, groups: MEMBERSHIP[u.name] ?? [], model: fullUserModel(u), servers: fullServers(u) });
        assert.deepEqual(keysOf(ours), pyValue(users[i]), `${JSON.stringify([...held.scopes])} on ${u.name}`);
        i++;
      }
    }
  });

  it(`group and service models keep the same keys (${GROUP_HELD.length * GROUPS.length + SERVICE_HELD.length * SERVICES.length} cases)`, () => {
    let i = 0;
    for (const held of GROUP_HELD) {
      for (const g of GROUPS) {
        const ours = filterGroupModel(held, g, { kind: 'group', name: g, roles: [], users: [] });
        assert.deepEqual(Object.keys(ours).sort(), pyValue(groups[i]), `${JSON.stringify([...held.scopes])} on ${g}`);
        i++;
      }
    }
    i = 0;
    for (const held of SERVICE_HELD) {
      for (const s of SERVICES) {
        const full = { kind: 'service', name: s, roles: [], admin: false, url: '', prefix: '', command: [], pid: 0, info: {}, display: true };
        assert.deepEqual(Object.keys(filterServiceModel(held, s, full)).sort(), pyValue(services[i]), `${JSON.stringify([...held.scopes])} on ${s}`);
        i++;
      }
    }
  });
});

describe('model filtering (hand-written)', () => {
  const model: Model = { kind: 'user', name: 'ann', admin: false, roles: ['user'], groups: ['g'], server: null, pending: null, created: null, last_activity: 'T', auth_state: { a: 1 } };

  it('with only read:users:name a user is kind, name and admin', () => {
    assert.deepEqual(filterUserModel(toExpandedScopes(['read:users:name']), { name: 'ann', groups: [], model }), { kind: 'user', name: 'ann', admin: false });
  });

  it('read:servers adds servers (empty when none), admin:auth_state adds auth_state', () => {
    const r = filterUserModel(toExpandedScopes(['read:servers', 'admin:auth_state']), { name: 'ann', groups: [], model });
    assert.deepEqual(r, { kind: 'user', name: 'ann', servers: {}, auth_state: { a: 1 } });
  });

  it('no covering scope gives an empty model, even with readable servers elsewhere', () => {
    assert.deepEqual(filterUserModel(toExpandedScopes(['read:users!user=bo']), { name: 'ann', groups: [], model }), {});
  });

  it('server state needs admin:server_state on that server', () => {
    const server = { name: 'x', ready: true, state: { pid: 1 } };
    assert.deepEqual(filterServerModel(toExpandedScopes(['read:servers']), { user: 'ann', name: 'x' }, server), { name: 'x', ready: true });
    assert.deepEqual(filterServerModel(toExpandedScopes(['admin:server_state!server=ann/x']), { user: 'ann', name: 'x' }, server), server);
  });
});
