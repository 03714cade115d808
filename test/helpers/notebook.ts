import type { Page } from 'playwright-core';

/**
 * In a logged-in browser page on a notebook 6 server: create a notebook through the server's contents API
 * (with its XSRF cookie, as its own UI does), open it, run one python cell over the kernel's websocket and
 * return the cell's output text.
 */
export async function runCell(page: Page, base: string, prefix: string, code: string): Promise<string> {
  const created = await page.evaluate(async (p: string) => {
    // Runs in the page: its document, typed here without pulling the DOM library into the whole project.
    const doc = (globalThis as unknown as { document: { cookie: string } }).document;
    const xsrf = doc.cookie.split('; ').find((c: string) => c.startsWith('_xsrf='))?.slice(6) ?? '';
    const r = await fetch(`${p}api/contents`, { method: 'POST', headers: { 'X-XSRFToken': xsrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'notebook' }) });
    return { status: r.status, body: (await r.json()) as { path?: string } };
  }, prefix);
  if (created.status !== 201) throw new Error(`creating a notebook answered ${created.status}`);
  await page.goto(`${base}${prefix}notebooks/${created.body.path ?? ''}`);
  await page.waitForSelector('.kernel_idle_icon', { timeout: 60_000 });
  await page.click('.CodeMirror');
  await page.keyboard.type(code);
  await page.keyboard.press('Shift+Enter');
  const out = await page.waitForSelector('.output_subarea', { timeout: 60_000 });
  return (await out.textContent())?.trim() ?? '';
}
