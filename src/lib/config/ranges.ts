import type { HubConfig, JupyterHubConfig } from './schema.generated.js';

/**
 * JupyterHub options whose numbers only make sense in a range. JupyterHub's traits take any integer and then
 * misbehave (a negative active_server_limit refuses every spawn, a negative last_activity_interval crashes
 * tornado's PeriodicCallback, cookie_max_age_days 0 makes login cookies that expire at once); hub refuses them at
 * load time instead, all at once, each with what the option's 0 means.
 */
interface Range {
  option: keyof JupyterHubConfig & string;
  min: number;
  /** What to write instead, shown after the problem. */
  meaning: string;
}

const RANGES: readonly Range[] = [
  { option: 'active_server_limit', min: 0, meaning: '0 means no limit' },
  { option: 'concurrent_spawn_limit', min: 0, meaning: '0 means no limit' },
  { option: 'named_server_limit_per_user', min: 0, meaning: '0 means no limit' },
  { option: 'last_activity_interval', min: 0, meaning: 'seconds; 0 turns the activity poll off' },
  { option: 'service_check_interval', min: 0, meaning: 'seconds; 0 turns the service checks off' },
  { option: 'activity_resolution', min: 0, meaning: 'seconds; 0 records every activity update' },
  { option: 'implicit_spawn_seconds', min: 0, meaning: 'seconds; 0 waits for the user to click' },
  { option: 'oauth_token_expires_in', min: 0, meaning: 'seconds; 0 means as long as cookie_max_age_days' },
  { option: 'cookie_max_age_days', min: Number.MIN_VALUE, meaning: 'days, more than 0 (fractions allowed; the default is 14)' },
];

const PORTS = ['port', 'hub_port', 'hub_connect_port', 'proxy_api_port'] as const;

/**
 * Port numbers, checked before the URLs made from them (JupyterHub.bind_url from ip and port), where a port out of
 * range would surface as an unreadable bind URL (`http://:99999/`) or a listen error.
 */
export function portProblems(config: HubConfig): string[] {
  return PORTS.filter((p) => config.JupyterHub[p] < 0 || config.JupyterHub[p] > 65535).map((p) => `JupyterHub.${p} is ${config.JupyterHub[p]}: a TCP port, 0 to 65535`);
}

/**
 * Options in seconds that become timers. Node keeps a timer's delay in a 32-bit signed number of milliseconds and
 * turns a longer one into 1 ms: `last_activity_interval: 9999999999` (meant as "never") would poll the proxy
 * a thousand times a second. Subclass sections are listed too, as the value may be set on either.
 */
const TIMER_SECONDS: readonly (readonly [keyof HubConfig & string, readonly string[]])[] = [
  ['JupyterHub', ['init_spawners_timeout', 'last_activity_interval', 'service_check_interval', 'proxy_check_interval']],
  ['Spawner', ['http_timeout', 'poll_interval', 'start_timeout', 'interrupt_timeout', 'term_timeout', 'kill_timeout']],
  ['LocalProcessSpawner', ['http_timeout', 'poll_interval', 'start_timeout', 'interrupt_timeout', 'term_timeout', 'kill_timeout']],
  ['SimpleLocalProcessSpawner', ['http_timeout', 'poll_interval', 'start_timeout', 'interrupt_timeout', 'term_timeout', 'kill_timeout']],
  ['ConfigurableHTTPProxy', ['check_running_interval']],
];

/** The longest timer Node can set, in whole seconds (2^31 - 1 ms: about 24.8 days). */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export function rangeProblems(config: HubConfig): string[] {
  const jh = config.JupyterHub as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const r of RANGES) {
    const v = jh[r.option];
    if (typeof v === 'number' && v < r.min) out.push(`JupyterHub.${r.option} is ${v}: ${r.meaning}`);
  }
  const tooLong = new Map<string, { v: number; where: string[] }>();
  for (const [section, options] of TIMER_SECONDS) {
    const values = config[section] as unknown as Record<string, unknown>;
    for (const option of options) {
      const v = values[option];
      if (typeof v !== 'number' || v <= MAX_TIMER_SECONDS) continue;
      // An inherited value shows in the subclass sections too: one line per option and value.
      const key = `${option}=${v}`;
      const entry = tooLong.get(key) ?? { v, where: [] };
      entry.where.push(`${section}.${option}`);
      tooLong.set(key, entry);
    }
  }
  for (const { v, where } of tooLong.values()) {
    // Named by the first section that has it: Spawner.start_timeout also for a LocalProcessSpawner.start_timeout.
    out.push(`${where[0] ?? ''} is ${v}: seconds, at most ${MAX_TIMER_SECONDS} (about 24 days), the longest timer hub can set`);
  }
  return out;
}
