// Opens an HTML report in headless Chromium and prints what the page shows as JSON:
//   node open-report.mjs REPORT.html SCREENSHOT.png
// Output: {"summary": {key: value}, "console_errors": [...], "requests": [...], "title": "..."}
// Exit status 0 when the page loaded; the caller asserts on the JSON.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [html, shot] = process.argv.slice(2);
if (!html || !shot) {
  console.error('usage: node open-report.mjs REPORT.html SCREENSHOT.png');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.SHROUD_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const url = pathToFileURL(html).href;
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  const summary = await page.$$eval('[data-k]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.k, e.dataset.v])));
  const title = await page.title();
  const svgs = await page.$$eval('svg', (els) => els.map((e) => e.id || e.getAttribute('aria-label') || ''));
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ summary, console_errors: consoleErrors, requests, title, svgs }));
} finally {
  await browser.close();
}
