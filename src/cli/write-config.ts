import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { generateConfigYaml } from '../lib/config/index.js';
import { HubError } from '../lib/errors.js';
import { confirm } from '../ui/confirm.js';

/**
 * Write the generated config file (every option commented out) to `out`, as JupyterHub's write_config_file: the
 * directory must exist, and an existing file is overwritten only when confirmed. Readable by its owner only,
 * since the admin will put secrets in it.
 */
export async function writeDefaultConfig(out: string, answerYes: boolean): Promise<void> {
  if (extname(out) === '.py') {
    throw new HubError('USAGE', `${out}: hub writes its config as YAML, not Python`, { hint: 'Name the file hub.yml (or any .yml/.yaml name).' });
  }
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new HubError('USAGE', `${dir} does not exist`, { hint: 'The destination directory must exist before generating the config file.' });
  }
  if (existsSync(out)) await confirm(`${out} exists; overwrite it with the default config?`, { answerYes });
  writeFileSync(out, generateConfigYaml(), { mode: 0o600 });
  // The mode above applies only to a new file: an overwritten one keeps its old mode, often 0644.
  chmodSync(out, 0o600);
}
