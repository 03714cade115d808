import type { Router } from '../api/router.js';
import type { PagesDeps } from './page-context.js';
import { hasControlChars } from './next-url.js';
import { page } from './page-handler.js';

/**
 * /hub/security/csp-report: browsers post Content-Security-Policy violations here (the report-uri of every
 * hub page). Browsers send these without our XSRF token, and anyone can post, so the handler changes nothing,
 * logs a bounded, single-line excerpt, and at most a few reports a minute.
 */
const MAX_BYTES = 8 * 1024;
const PER_MINUTE = 10;

export function registerCspReport(router: Router, deps: PagesDeps): void {
  let windowStart = 0;
  let count = 0;
  router.add('POST', 'security/csp-report', page(deps, async (ctx) => {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size <= MAX_BYTES) chunks.push(buf);
    }
    // Counted whether or not it is logged: the log limit is about the log, the metric about the reports.
    deps.statsd.incr('csp_report');
    const now = Date.now();
    if (now - windowStart > 60_000) {
      windowStart = now;
      count = 0;
    }
    if (++count <= PER_MINUTE) {
      // One line per report: a report cannot forge further log lines.
      const text = [...Buffer.concat(chunks).toString('utf8').slice(0, 2000)].map((ch) => (hasControlChars(ch) ? ' ' : ch)).join('');
      deps.log.warn(`Content security violation: ${text}`);
    }
    ctx.res.statusCode = 204;
    ctx.res.end();
  }));
}
