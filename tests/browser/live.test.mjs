// The live-view pages in headless Chromium against the real collector that
// run_browser_tests.py started (after dashboard.test.mjs, which changed the
// admin password; run alone, this file changes it itself): API tokens,
// charts of every stored series with the range picker, live flows (fed by
// WF_ACTIVE: an ActiveFlows report as a live probe sends it). Screenshots go where
// the dashboard's go (WF_SCREENSHOTS), named 20-... and up.
import {describe, it, before, after} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {execFileSync} from 'node:child_process';
import {chromium} from 'playwright-core';
import {eventually, pageHelpers} from './page_helpers.mjs';

const url = process.env.WF_URL;
const shots = process.env.WF_SCREENSHOTS;
const adminPassword = 'browser-test-Pa55word!';   // the one dashboard.test.mjs sets

let browser;
let page;
const dialogs = [];
const pageErrors = [];
const failedRequests = [];

const {shot, api, go} = pageHelpers(() => page, url, shots);

// The timeseries requests the page makes while f runs.
async function seriesRequests(f) {
  const seen = [];
  const listen = (r) => { if (r.url().includes('/api/v1/timeseries?')) seen.push(new URL(r.url()).searchParams); };
  page.on('request', listen);
  try {
    await f();
    await page.waitForTimeout(500);   // request events trail the page's own progress a little
  } finally {
    page.off('request', listen);
  }
  return seen;
}

describe('wireflow live view pages', () => {
  before(async () => {
    assert.ok(url, 'WF_URL is set by run_browser_tests.py');
    browser = await chromium.launch({
      executablePath: process.env.WF_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const context = await browser.newContext({viewport: {width: 1366, height: 900}});
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window.__wf_csp = window.__wf_csp || []).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page = await context.newPage();
    page.on('dialog', async (d) => { dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('response', (r) => { if (r.status() >= 500) failedRequests.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  });

  after(async () => {
    await browser?.close();
  });

  it('the admin logs in', async () => {
    await page.goto(url);
    await page.waitForSelector('#login-form');
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', adminPassword);
    await page.click('#login-submit');
    const where = await Promise.race([
      page.waitForSelector('#stat-hosts').then(() => 'dashboard'),
      page.waitForSelector('#login-form .form-error:not([hidden])').then(() => 'refused')]);
    if (where === 'refused') {   // run alone: the default password, changed first
      await page.fill('#login-password', 'admin');
      await page.click('#login-submit');
      await page.waitForSelector('#password-form');
      await page.fill('#pw-old', 'admin');
      await page.fill('#pw-new', adminPassword);
      await page.fill('#pw-again', adminPassword);
      await page.click('#pw-submit');
      await page.waitForSelector('#stat-hosts');
    }
  });

  it('an API token is created with an expiry, shown once, works, and is revoked', async () => {
    await go('#/tokens');
    await page.waitForSelector('#token-form');
    await page.fill('#token-name', 'browser-ci');
    await page.selectOption('#token-expiry', 'custom');
    await page.fill('#token-days', '3');
    await page.click('#token-create');
    await page.waitForSelector('#token-secret:not([hidden]) #token-secret-value');
    const secret = await page.inputValue('#token-secret-value');
    assert.match(secret, /^\S{20,}$/, 'a secret is shown');
    assert.match(await page.textContent('#token-secret'), /only once/);
    await page.waitForSelector('#token-list td[data-label="Name"] >> text=browser-ci');
    await shot('20-tokens-created');
    const listed = (await api('GET', 'tokens')).body.items.find((t) => t.name === 'browser-ci');
    assert.ok(listed, 'the token is in the API');
    assert.equal(JSON.stringify(listed).includes(secret), false, 'the list never holds the secret');
    const days = (listed.expires_at - listed.created_at) / 86400;
    assert.ok(days > 2.9 && days < 3.1, `expires in 3 days (got ${days})`);
    // The secret authenticates a script (no cookie: a plain fetch from node).
    const withToken = (s) => fetch(new URL('api/v1/status', url), {headers: {Authorization: `Bearer ${s}`}});
    assert.equal((await withToken(secret)).status, 200, 'the new token works');
    // Leaving the page forgets the secret: it cannot be shown again.
    await go('#/dashboard');
    await page.waitForSelector('#stat-hosts');
    await go('#/tokens');
    await page.waitForSelector('#token-list td[data-label="Name"] >> text=browser-ci');
    assert.equal(await page.isVisible('#token-secret'), false);
    assert.equal(await page.$('#token-secret-value'), null, 'the secret is gone from the page');
    // Revoke: the first click arms, the second revokes.
    const revoke = `#token-list button.token-revoke[data-token="${listed.id}"]`;
    await page.click(revoke);
    await page.waitForSelector(`${revoke} >> text=Click again`);
    assert.equal((await withToken(secret)).status, 200, 'one click does not revoke');
    await page.click(revoke);
    await eventually(async () => !(await page.$(revoke)), 'the revoked token leaving the list');
    assert.equal((await withToken(secret)).status, 401, 'a revoked token is refused');
    await shot('21-tokens');
  });

  it('the charts page draws the global series and asks for hourly buckets on long ranges', async () => {
    await go('#/charts');
    await page.waitForSelector('#chart-grid canvas');
    // The collector writes series every 5 s in this test (--host-persist-s).
    await eventually(async () => Number(await page.getAttribute('#chart-global-0', 'data-points')) > 0,
      'points of the global traffic chart', 90000);
    assert.equal(await page.$$eval('#chart-grid .chart-card', (c) => c.length), 4, 'traffic, packets, flows, hosts');
    await shot('22-charts-global');
    const week = await seriesRequests(async () => {
      await page.selectOption('#chart-range', String(7 * 86400));
      await page.waitForSelector('#chart-info >> text=hourly roll-ups');
    });
    assert.ok(week.length >= 4, 'one request per global metric');
    for (const q of week) {
      assert.equal(q.get('step'), '3600');
      assert.ok(Number(q.get('to')) - Number(q.get('from')) >= 7 * 86400);
    }
    await eventually(async () => Number(await page.getAttribute('#chart-global-0', 'data-points')) > 0, 'the week chart\'s points');
    const custom = await seriesRequests(async () => {
      await page.selectOption('#chart-range', 'custom');
      await page.waitForSelector('#chart-custom:not([hidden])');
      await page.fill('#chart-from', '2026-01-01T00:00');
      await page.fill('#chart-to', '2026-01-01T03:00');
      await page.click('#chart-form button[type="submit"]');
      await page.waitForSelector('#chart-info >> text=1 min');
    });
    const last = custom.at(-1);
    assert.equal(Number(last.get('to')) - Number(last.get('from')), 3 * 3600, 'the custom window as asked');
    assert.equal(last.get('step'), '60');
    assert.match(page.url(), /range=custom/, 'the hash keeps the choice');
  });

  it('every stored scope has its charts: host, pool, application, probe, interface', async () => {
    await go('#/charts?range=3600');
    await page.waitForSelector('#chart-grid canvas');
    for (const [scope, charts] of [['host', 3], ['app', 3], ['pool', 3], ['probe', 4], ['interface', 3]]) {
      const asked = await seriesRequests(async () => {
        await page.selectOption('#chart-scope', scope);
        await page.waitForSelector(`#chart-${scope}-0 canvas, #chart-grid p.muted`, {timeout: 20000});
        if (!(await page.$(`#chart-${scope}-0 canvas`))) {
          // The collector offers no id for this scope (a replayed file's
          // probe reports no port at its end): type one, as a user can.
          await page.fill('#chart-id', 'browser-probe/0');
          await page.click('#chart-form button[type="submit"]');
          await page.waitForSelector(`#chart-${scope}-0 canvas`, {timeout: 20000});
        }
      });
      assert.equal(await page.$$eval('#chart-grid .chart-card', (c) => c.length), charts, scope);
      const id = await page.inputValue('#chart-id');
      assert.ok(id.length > 0, `${scope}: an id was picked from the collector's list`);
      assert.ok(asked.some((q) => q.get('scope') === scope && q.get('id') === id), `${scope}: asked for ${id}`);
      if (scope === 'host' || scope === 'app') {
        await eventually(async () => Number(await page.getAttribute(`#chart-${scope}-0`, 'data-points')) > 0,
          `points of the ${scope} traffic chart`, 30000);
      }
      if (scope === 'host') await shot('23-charts-host');
    }
    await shot('24-charts-interface');
    // A host's page links to its charts.
    await go('#/hosts/192.168.1.10');
    await page.click('#host-charts');
    await page.waitForSelector('#chart-host-0 canvas');
    assert.equal(await page.inputValue('#chart-id'), '192.168.1.10@0');
    assert.equal(await page.inputValue('#chart-range'), '86400');
  });

  it('the live flows page lists flows in progress by throughput, filters them and refreshes itself', async () => {
    const active = JSON.parse(process.env.WF_ACTIVE);
    execFileSync(active[0], [...active.slice(1), '1'], {stdio: 'inherit', timeout: 60000});
    await go('#/live');
    await eventually(async () => (await page.$$('#live-table tbody td[data-label="Client"] a')).length > 0,
      'active flows on the live page', 30000);
    assert.match(await page.textContent('#live-status'), /30 flows in progress/);
    // Busiest first: the order shown is the API's throughput order.
    const api30 = (await api('GET', 'flows?state=active&limit=100')).body;
    assert.equal(api30.total, 30);
    assert.ok(api30.items.every((f) => f.state === 'active' && f.probe_id === 'live-probe'));
    const rates = api30.items.map((f) => f.throughput_bps);
    assert.ok(rates.every((r, i) => i === 0 || rates[i - 1] >= r), `descending throughput: ${rates}`);
    const shown = await page.$$eval('#live-table tbody td[data-label="Server"] a', (as) => as.map((a) => a.textContent));
    assert.deepEqual(shown.slice(0, 5), api30.items.slice(0, 5).map((f) => f.server_ip));
    assert.equal(await page.getAttribute('#live-table th.sortable[aria-sort="descending"] button', 'data-sort'), 'throughput');
    // Hostile server names are text.
    const names = await page.$$eval('#live-table .server-name', (els) => els.map((e) => e.textContent));
    assert.ok(names.some((n) => n.includes('<script>')), 'a script payload shown as text');
    await shot('26-live-flows');
    // Sorting by bytes ascending is the server's too.
    await page.click('#live-table button[data-sort="bytes"]');
    await page.waitForSelector('#live-table th[aria-sort="descending"] button[data-sort="bytes"]');
    await page.click('#live-table button[data-sort="bytes"]');
    await page.waitForSelector('#live-table th[aria-sort="ascending"] button[data-sort="bytes"]');
    await eventually(async () => (await page.$$eval('#live-table tbody td[data-label="Server"] a', (as) => as[0]?.textContent)) === '203.0.113.1',
      'the smallest flow first');
    // Filters: host, application, probe.
    await page.fill('#live-host', '192.168.1.11');
    await page.click('#live-form button[type="submit"]');
    await eventually(async () => {
      const clients = await page.$$eval('#live-table tbody td[data-label="Client"] a', (as) => as.map((a) => a.textContent));
      return clients.length === 10 && clients.every((t) => t === '192.168.1.11');
    }, 'only the flows of 192.168.1.11');
    await page.fill('#live-app', 'HTTP');
    await page.click('#live-form button[type="submit"]');
    await eventually(async () => (await page.textContent('#live-status')).startsWith('5 flows'), 'host and application together');
    await page.fill('#live-host', '');
    await page.fill('#live-app', '');
    const others = await page.$$eval('#live-probe option', (os) => os.map((o) => o.value).filter((v) => v && v !== 'live-probe'));
    if (others.length) {
      await page.selectOption('#live-probe', others[0]);
      await eventually(async () => (await page.textContent('#live-status')).startsWith('0 flows'), 'another probe has none');
    }
    await page.selectOption('#live-probe', 'live-probe');
    await eventually(async () => (await page.textContent('#live-status')).startsWith('30 flows'), 'the live probe has them all');
    // Pool filter: the API's answer for an assigned pool is what the page shows.
    const pools = (await api('GET', 'pools')).body.items;
    await page.selectOption('#live-pool', '0');
    const unassigned = (await api('GET', 'flows?state=active&pool=0&probe=live-probe')).body.total;
    await eventually(async () => (await page.textContent('#live-status')).startsWith(`${unassigned} flows`), 'the unassigned pool');
    assert.ok(pools.length >= 1);
    await page.selectOption('#live-pool', '');
    // A second report: the page shows the new counters without a reload.
    await page.evaluate(() => { window.__wf_same_live = true; });
    execFileSync(active[0], [...active.slice(1), '100'], {stdio: 'inherit', timeout: 60000});
    // Sorted by bytes ascending, flow 1 comes first: 1.50 KB, then 150 KB.
    await eventually(async () => {
      const first = await page.$eval('#live-table tbody td[data-label="Bytes"]', (td) => td.textContent);
      return first === '150.0 KB' && await page.evaluate(() => window.__wf_same_live === true);
    }, 'the new counters drawn in the same document', 20000);
    // A host's page links to its live flows.
    await go('#/hosts/192.168.1.10');
    await page.click('#host-live');
    await page.waitForSelector('#live-table tbody td[data-label="Client"] a');
    assert.equal(await page.inputValue('#live-host'), '192.168.1.10');
  });

  it('the new pages fit a phone screen', async () => {
    await page.setViewportSize({width: 390, height: 844});
    for (const [hash, ready, name] of [['#/charts', '#chart-grid canvas', '25-phone-charts'], ['#/tokens', '#token-form', '25-phone-tokens'],
      ['#/live', '#live-table tbody tr', '25-phone-live']]) {
      await go(hash);
      await page.waitForSelector(ready);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${hash} is ${overflow}px wider than the phone screen`);
      await shot(name);
    }
    await page.setViewportSize({width: 1366, height: 900});
  });

  it('no script payload ran and the pages stayed within their policy', async () => {
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await page.evaluate(() => window.__wf_csp ?? []), [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
    assert.deepEqual(failedRequests, [], 'no 5xx answer');
  });
});
