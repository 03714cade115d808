/** Throwaway TLS material for the proxy tests, made with the openssl CLI (EC keys: fast to generate). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
}

export function makeCert(dir: string, name: string): TestCert {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key, cert };
}
