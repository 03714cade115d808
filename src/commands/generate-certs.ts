import { HubCommand } from '../cli/base-command.js';
import { HubError } from '../lib/errors.js';

export default class GenerateCerts extends HubCommand<typeof GenerateCerts> {
  static override summary = 'Create the internal certificate authorities and certificates for internal_ssl (not yet available).';

  static override description = `Will create, under JupyterHub.internal_certs_location, the authorities hub-ca, notebooks-ca, proxy-api-ca, proxy-client-ca and services-ca with their trust bundles and component certificates, as JupyterHub's --generate-certs does.
This hub version does not implement internal_ssl yet; the command says so and exits non-zero rather than pretending.`;

  static override examples = ['<%= config.bin %> generate-certs -c hub.yml'];

  async run(): Promise<void> {
    throw new HubError('NOT_IMPLEMENTED', 'generate-certs is not available yet: internal_ssl arrives in a later hub version', {
      hint: 'Until then, leave JupyterHub.internal_ssl false and protect the hub and proxy ports with a firewall.',
    });
  }
}
