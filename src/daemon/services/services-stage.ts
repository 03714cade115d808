/**
 * JupyterHub.services at run time (app.py start and check_services_health): managed services are started with
 * their token, OAuth client and (under internal_ssl) a notebooks-ca certificate, as JupyterHub does; every
 * service with a url gets its proxy route at <base_url>services/<name>/ and is waited for (10 s when managed,
 * 1 s when external; a service that does not answer is logged, not fatal); services with a url are checked every
 * service_check_interval. At stop the managed ones are stopped, whatever cleanup_servers says (as JupyterHub).
 */
import { readFile } from 'node:fs/promises';
import type https from 'node:https';
import path from 'node:path';
import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import { createToken } from '../db/tokens-repo.js';
import { registerClient } from '../auth/oauth/client-registry.js';
import { serviceOAuthSpecs } from '../auth/oauth/service-clients.js';
import { freePort } from '../spawner/free-port.js';
import { killSequence, pidAlive } from '../spawner/kill-sequence.js';
import type { ProxyRoutes } from '../spawner/ports.js';
import { runAsArgv } from '../spawner/run-as.js';
import type { TlsFiles } from '../spawner/spawner.js';
import { waitForHttpServer } from '../spawner/singleuser-contract.js';
import { lookupAccount, type UnixAccount } from '../spawner/unix-account.js';
import { installUserCerts } from '../ssl/user-certs.js';
import { ManagedService, STOP_TIMEOUTS } from './managed-service.js';
import { serviceEnv } from './service-env.js';
import { isManaged, parseServiceSpecs, type ServiceSpec } from './service-spec.js';
import { servicePrefix, serviceRoutespec, serviceTarget } from './service-urls.js';

export interface ServicesStageOptions {
  db: Knex;
  config: HubConfig;
  log: Logger;
  /** Absent in API-only hubs (no proxy): services then get no route. */
  proxy: ProxyRoutes | undefined;
  hubApiUrl: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** internal_ssl: a certificate per service, and the hub's client identity for health checks. */
  ssl?: { issue(name: string): Promise<TlsFiles>; agent: https.Agent };
}

const GENERATED_NOTE = 'generated at startup';
const MANAGED_WAIT_MS = 10_000;
const EXTERNAL_WAIT_MS = 1000;

export class ServicesStage {
  private readonly managed = new Map<string, ManagedService>();
  private specs: ServiceSpec[] = [];

  /** Each service's url as served (a managed service's port 0 replaced by the port it got). */
  urls(): ReadonlyMap<string, string> {
    return new Map(this.specs.filter((s) => s.url !== '').map((s) => [s.name, s.url]));
  }
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ServicesStageOptions) {}

  /** The running pid of a managed service, for status displays. */
  pidOf(name: string): number | null {
    return this.managed.get(name)?.pid ?? null;
  }

  async start(): Promise<void> {
    this.specs = await Promise.all(parseServiceSpecs(this.o.config).map((s) => withPort(s)));
    for (const spec of this.specs) {
      const where = spec.url ? ` at ${spec.url}` : '';
      if (isManaged(spec)) {
        this.o.log.info(`Starting managed service ${spec.name}${where}`);
        await this.startManaged(spec);
      } else {
        this.o.log.info(`Adding external service ${spec.name}${where}`);
      }
      if (spec.url === '') continue;
      if (this.o.proxy) await this.o.proxy.addRoute(serviceRoutespec(this.o.config, spec.name), serviceTarget(spec.url), { service: spec.name });
      await this.waitUp(spec, isManaged(spec) ? MANAGED_WAIT_MS : EXTERNAL_WAIT_MS, 'error');
    }
    const every = this.o.config.JupyterHub.service_check_interval;
    if (every > 0 && this.specs.some((s) => s.url !== '')) {
      this.timer = setInterval(() => void this.checkHealth(), every * 1000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.managed.values()].map((m) => m.stop()));
    this.managed.clear();
  }

  private async startManaged(spec: ServiceSpec): Promise<void> {
    await this.stopLeftover(spec);
    const token = spec.apiToken ?? (await this.generatedToken(spec));
    const account = spec.user ? await lookupAccount(spec.user) : undefined;
    const certs = this.o.ssl ? await this.certsFor(spec, account) : undefined;
    const env = serviceEnv({ config: this.o.config, spec, apiToken: token, hubApiUrl: this.o.hubApiUrl, processEnv: this.o.env, ...(certs ? { certs } : {}), ...(account ? { account } : {}) });
    const argv = account ? runAsArgv(account, spec.command, `service ${spec.name}`) : spec.command;
    const service = new ManagedService({
      name: spec.name, argv, env, log: this.o.log,
      cwd: spec.cwd ? path.resolve(this.o.cwd, spec.cwd) : this.o.cwd,
      onPid: (pid) => void this.o.db('services').where({ name: spec.name }).update({ pid }).catch((err: unknown) => this.o.log.warn(`recording the pid of service ${spec.name}: ${String(err)}`)),
    });
    await service.start();
    this.managed.set(spec.name, service);
  }

  /**
   * A hub that was killed (-9, OOM) could not stop its services; the services row still names the pid. If that
   * process still runs this service's command, it is stopped now, or the new one would find its port taken.
   */
  private async stopLeftover(spec: ServiceSpec): Promise<void> {
    const row = (await this.o.db('services').where({ name: spec.name }).first('pid')) as { pid?: unknown } | undefined;
    const pid = typeof row?.pid === 'number' ? row.pid : 0;
    if (pid <= 0 || !pidAlive(pid)) return;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').filter(Boolean).join('\0') !== spec.command.join('\0')) return;
    this.o.log.warn(`Service ${spec.name} is still running from an earlier hub (pid ${pid}); stopping it before starting it again`);
    await killSequence(pid, STOP_TIMEOUTS, false);
  }

  /**
   * A managed service without api_token gets a new token at every start, as in JupyterHub, which is also its
   * OAuth client's secret. Unlike JupyterHub 3.0 the tokens of earlier starts are deleted: they were only ever
   * given to a process that is gone.
   */
  private async generatedToken(spec: ServiceSpec): Promise<string> {
    const { db } = this.o;
    const row = (await db('services').where({ name: spec.name }).first('id')) as { id?: unknown } | undefined;
    const serviceId = typeof row?.id === 'number' ? row.id : -1;
    await db('api_tokens').where({ service_id: serviceId, note: GENERATED_NOTE }).delete();
    const { token } = await createToken(db, { serviceId }, { note: GENERATED_NOTE });
    const oauth = serviceOAuthSpecs(this.o.config).find((s) => s.name === spec.name);
    if (oauth) await registerClient(db, { id: oauth.clientId, secret: token, redirectUri: oauth.redirectUri, allowedScopes: oauth.allowedScopes, description: `JupyterHub service ${spec.name}` });
    return token;
  }

  /** A notebooks-ca certificate (the proxy trusts those for backends); a service with a user gets its own copy. */
  private async certsFor(spec: ServiceSpec, account: UnixAccount | undefined): Promise<TlsFiles | undefined> {
    const files = await this.o.ssl?.issue(`service-${spec.name}`);
    if (!files || !account) return files;
    return installUserCerts(files, { uid: account.uid, gid: account.gid, home: account.home, name: account.name });
  }

  private async waitUp(spec: ServiceSpec, timeoutMs: number, level: 'error' | 'warn'): Promise<boolean> {
    const url = `${serviceTarget(spec.url)}${servicePrefix(this.o.config.JupyterHub.base_url, spec.name)}`;
    const service = this.managed.get(spec.name);
    const alive = async (): Promise<boolean> => service === undefined || service.pid !== null;
    try {
      await waitForHttpServer(url, timeoutMs, alive, url.startsWith('https:') ? this.o.ssl?.agent : undefined);
      return true;
    } catch {
      const kind = isManaged(spec) ? 'managed' : 'external';
      this.o.log[level](`Cannot connect to ${kind} service ${spec.name} at ${spec.url}. Is it running?`);
      return false;
    }
  }

  private async checkHealth(): Promise<void> {
    for (const spec of this.specs) {
      if (spec.url !== '') await this.waitUp(spec, EXTERNAL_WAIT_MS, 'warn');
    }
  }
}

/** A managed service's url with port 0 gets a free port, as JupyterHub's service docs promise. */
async function withPort(spec: ServiceSpec): Promise<ServiceSpec> {
  if (!isManaged(spec) || spec.url === '') return spec;
  if (new URL(spec.url).port !== '0') return spec;
  const port = await freePort(new URL(spec.url).hostname);
  return { ...spec, url: spec.url.replace(/:0(?=[/?#]|$)/, `:${port}`) };
}
