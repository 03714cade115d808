import { Flags } from '@oclif/core';
import { HubCommand, confirmFlags } from '../cli/base-command.js';
import { writeDefaultConfig } from '../cli/write-config.js';
import { generateConfigYaml } from '../lib/config/index.js';

export default class GenerateConfig extends HubCommand<typeof GenerateConfig> {
  static override summary = 'Print a complete config file: every option with its help text and default, commented out.';

  static override description = `The output is YAML laid out like JupyterHub's config classes (JupyterHub, Spawner, Authenticator, ...), with JupyterHub's option names, so a jupyterhub_config.py translates line by line: c.JupyterHub.port = 8000 becomes "JupyterHub: {port: 8000}".
Every option is commented out, so the file as generated starts a hub with the defaults. Uncomment and edit what you need.`;

  static override examples = ['<%= config.bin %> generate-config > hub.yml', '<%= config.bin %> generate-config -o /etc/hub/hub.yml --answer-yes'];

  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Write to this file instead of stdout (refuses to overwrite unless confirmed).' }),
    ...confirmFlags,
  };

  async run(): Promise<void> {
    const out = this.flags.output;
    if (!out) {
      process.stdout.write(generateConfigYaml());
      return;
    }
    await writeDefaultConfig(out, this.flags['answer-yes']);
    this.logToStderr(`wrote ${out}`);
  }
}
