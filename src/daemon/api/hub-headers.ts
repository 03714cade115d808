import type http from 'node:http';
import type { JupyterHubConfig } from '../../lib/config/index.js';

/**
 * The headers every response of the hub port starts with, as JupyterHub's BaseHandler.set_default_headers:
 * tornado_settings.headers first (a configured header wins over any default here, X-JupyterHub-Version too),
 * then Access-Control-Allow-Headers and the Content-Security-Policy unless configured. The default policy is
 * `frame-ancestors 'self'; report-uri <csp_report_uri>`, with `default-src 'none'` added on API paths
 * (APIHandler.content_security_policy). Handlers may still set their own headers afterwards.
 */
export function defaultCsp(jh: Pick<JupyterHubConfig, 'base_url' | 'tornado_settings'>, api: boolean): string {
  const report = jh.tornado_settings.csp_report_uri === '' ? `${jh.base_url}hub/security/csp-report` : jh.tornado_settings.csp_report_uri;
  return `frame-ancestors 'self'; report-uri ${report}${api ? "; default-src 'none'" : ''}`;
}

export type HeaderSetter = (res: http.ServerResponse, api: boolean) => void;

export function hubHeaders(jh: Pick<JupyterHubConfig, 'base_url' | 'tornado_settings'>): HeaderSetter {
  const configured = Object.entries(jh.tornado_settings.headers);
  const has = (name: string): boolean => configured.some(([k]) => k.toLowerCase() === name);
  const csp = has('content-security-policy') ? null : { page: defaultCsp(jh, false), api: defaultCsp(jh, true) };
  const allowHeaders = !has('access-control-allow-headers');
  return (res, api) => {
    for (const [name, value] of configured) res.setHeader(name, value);
    if (allowHeaders) res.setHeader('Access-Control-Allow-Headers', 'accept, content-type, authorization');
    if (csp) res.setHeader('Content-Security-Policy', api ? csp.api : csp.page);
  };
}
