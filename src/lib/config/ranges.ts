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

export function rangeProblems(config: HubConfig): string[] {
  const jh = config.JupyterHub as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const r of RANGES) {
    const v = jh[r.option];
    if (typeof v === 'number' && v < r.min) out.push(`JupyterHub.${r.option} is ${v}: ${r.meaning}`);
  }
  return out;
}
