// The dashboard in headless Chromium against the real collector started by
// run_browser_tests.py (env WF_URL, WF_REPLAY, WF_SCREENSHOTS, ...). The steps
// run in order on one page, as a user would: each depends on the previous.
//
// Every packet-derived name in the replayed capture is a script payload that
// calls alert(): any dialog, any <img>/<script> element built from data, any
// Content-Security-Policy violation or page error fails the run.
import {describe, it, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {chromium} from 'playwright-core';
import {eventually, pageHelpers} from './page_helpers.mjs';

const url = process.env.WF_URL;
const shots = process.env.WF_SCREENSHOTS;
const blacklistedIp = process.env.WF_BLACKLISTED_IP;
const newPassword = 'browser-test-Pa55word!';

let browser;
let context;
let page;
const dialogs = [];
const pageErrors = [];
const failedRequests = [];

const {shot, api, go} = pageHelpers(() => page, url, shots);

async function columnTexts(tableId, label) {
  return page.$$eval(`#${tableId} tbody td[data-label="${label}"]`, (tds) => tds.map((td) => td.textContent));
}

describe('wireflow dashboard', () => {
  before(async () => {
    assert.ok(url, 'WF_URL is set by run_browser_tests.py');
    browser = await chromium.launch({
      executablePath: process.env.WF_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    context = await browser.newContext({viewport: {width: 1366, height: 900}});
    // Records CSP violations inside the page (an inline script or style the
    // page tried to use would show up here).
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window.__wf_csp = window.__wf_csp || []).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page = await context.newPage();
    page.on('dialog', async (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      await d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 500) failedRequests.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
  });

  it('a fresh visit shows the login page, with the security headers', async () => {
    const res = await page.goto(url);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/, `CSP: ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline/, 'no inline script allowed');
    await page.waitForSelector('#login-form');
    assert.equal(await page.isVisible('#nav'), false, 'no navigation before login');
    await shot('01-login');
  });

  it('a wrong password is refused on the page', async () => {
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    await page.waitForSelector('#login-form .form-error:not([hidden])');
    assert.match(await page.textContent('#login-form .form-error'), /wrong/i);
  });

  it('admin/admin must change the default password before anything else', async () => {
    await page.fill('#login-password', 'admin');
    await page.click('#login-submit');
    await page.waitForSelector('#password-form');
    await shot('02-change-password');
    // Any other page leads back to the password change.
    await go('#/hosts');
    await page.waitForSelector('#password-form');
    const blocked = await api('GET', 'hosts');
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.error, 'password_change_required');
  });

  it('changing the password opens the dashboard with live data', async () => {
    await page.fill('#pw-old', 'admin');
    await page.fill('#pw-new', newPassword);
    await page.fill('#pw-again', newPassword);
    await page.click('#pw-submit');
    await page.waitForSelector('#stat-hosts');
    await eventually(async () => Number((await page.textContent('#stat-hosts .stat-value')).replace(/\D/g, '')) > 0,
      'a host count on the dashboard');
    await page.waitForSelector('#top-hosts tbody tr td[data-label="Host"] a');
    await page.waitForSelector('#throughput-chart canvas');
    assert.equal((await api('GET', 'hosts')).status, 200, 'the API works after the change');
    await shot('03-dashboard');
  });

  it('the dashboard refreshes itself without reloading the page', async () => {
    await page.evaluate(() => {
      window.__wf_same_document = true;
      window.__wf_card = document.querySelector('#stat-hosts');
    });
    await eventually(() => page.evaluate(() => window.__wf_same_document === true &&
      document.querySelector('#stat-hosts') !== null && document.querySelector('#stat-hosts') !== window.__wf_card),
    'new figures drawn in the same document', 20000);
  });

  it('the hosts of the replayed capture are listed, sortable, paginated and searchable', async () => {
    await go('#/hosts');
    await page.waitForSelector('#hosts-table tbody td[data-label="Host"] a');
    await eventually(async () => (await columnTexts('hosts-table', 'Host')).some((t) => t.startsWith('192.168.1.')),
      'local hosts of the capture');
    // Sorting: by bytes sent, descending then ascending.
    const sentOrder = async () => {
      // Each row's link names the host exactly: #/hosts/IP[?vlan=N].
      const rows = await page.$$eval('#hosts-table tbody td[data-label="Host"] a', (as) => as.map((x) => x.getAttribute('href')));
      return rows;
    };
    await page.selectOption('#hosts-table .rows-per-page', '100');
    await page.waitForFunction(() => document.querySelector('#hosts-table .pager-info').textContent.startsWith('1–'));
    await page.click('#hosts-table button[data-sort="bytes_sent"]');
    await page.waitForSelector('#hosts-table th[aria-sort="descending"] button[data-sort="bytes_sent"]');
    const desc = await sentOrder();
    await page.click('#hosts-table button[data-sort="bytes_sent"]');
    await page.waitForSelector('#hosts-table th[aria-sort="ascending"] button[data-sort="bytes_sent"]');
    const asc = await sentOrder();
    assert.ok(desc.length > 10, `the capture has more than 10 hosts (got ${desc.length})`);
    // The order shown is the order of the hosts' bytes_sent (ties allowed).
    const all = (await api('GET', 'hosts?limit=1000')).body.items;
    const sent = new Map(all.map((x) => [`#/hosts/${encodeURIComponent(x.ip)}${x.vlan ? `?vlan=${x.vlan}` : ''}`, x.bytes_sent]));
    const values = (order) => order.map((label) => sent.get(label));
    const sorted = (v, cmp) => v.every((x, i) => x !== undefined && (i === 0 || cmp(v[i - 1], x)));
    assert.ok(sorted(values(desc), (a, b) => a >= b), `descending by bytes sent: ${values(desc)}`);
    assert.ok(sorted(values(asc), (a, b) => a <= b), `ascending by bytes sent: ${values(asc)}`);
    // Rows per page and pagination.
    await page.selectOption('#hosts-table .rows-per-page', '10');
    await page.waitForFunction(() => document.querySelector('#hosts-table .pager-info').textContent.startsWith('1–10 of'));
    assert.equal((await columnTexts('hosts-table', 'Host')).length, 10);
    await page.click('#hosts-table .pager-next');
    await page.waitForFunction(() => document.querySelector('#hosts-table .pager-info').textContent.startsWith('11–'));
    // The search box filters on the server.
    await page.fill('#hosts-table input.search', '192.168.20.');
    await eventually(async () => {
      const hosts = await columnTexts('hosts-table', 'Host');
      return hosts.length > 0 && hosts.every((t) => t.startsWith('192.168.20.'));
    }, 'only guest VLAN hosts after the search');
    await shot('04-hosts');
    await page.fill('#hosts-table input.search', '');
  });

  it('host details show peers, applications and recent flows', async () => {
    await go('#/hosts/192.168.1.10');
    await page.waitForSelector('#host-summary dl');
    assert.match(await page.textContent('#host-summary'), /192\.168\.1\.10/);
    await eventually(async () => (await page.$$('#host-peers tbody td[data-label="Peer"] a')).length > 0, 'peers of the host');
    await eventually(async () => (await page.$$('#host-flows tbody td[data-label="Client"]')).length > 0, 'recent flows of the host');
    assert.ok((await page.$$('#host-apps tbody td[data-label="Application"]')).length > 0, 'applications of the host');
    // TCP health from the host's side of its recent flows: the sample's
    // connections all start with a handshake, so a round trip is known.
    const health = await page.textContent('#host-tcp-health');
    assert.match(health, /Retransmitted, sent/);
    assert.match(health, /Round trip, probe to this host\s*median [0-9.]+ ms, max [0-9.]+ ms \([1-9][0-9]* handshakes\)/);
    // The collector writes host series every 5 s in this test (--host-persist-s).
    await page.waitForSelector('#host-chart canvas', {timeout: 40000});
    await shot('05-host-details');
  });

  it('a remote host shows its country and AS, a flow its endpoints\' countries (geolocation)', async () => {
    // run_browser_tests.py --geo: two flows from a local client to servers
    // the test MaxMind DB files locate (GB, AS20712; and an AS whose name is
    // an <img onerror> payload).
    const geo = JSON.parse(process.env.WF_GEO);
    execFileSync(geo[0], geo.slice(1), {stdio: 'inherit', timeout: 60000});
    const hosts = JSON.parse(process.env.WF_GEO_HOSTS);
    // The hosts list: a Country / AS column.
    await go('#/hosts');
    await page.waitForSelector('#hosts-table input.search');
    await page.fill('#hosts-table input.search', hosts.server);
    const cell = await eventually(async () => {
      const t = await columnTexts('hosts-table', 'Country / AS');
      return t.length === 1 ? t[0] : null;
    }, 'the located host in the hosts list');
    assert.match(cell, /^GB AS20712 Andrews & Arnold Ltd$/);
    await page.fill('#hosts-table input.search', '');
    // The host page: country, AS number and name.
    await go(`#/hosts/${hosts.server}`);
    await page.waitForSelector('#host-country');
    assert.equal(await page.textContent('#host-country'), 'GB');
    assert.equal(await page.textContent('#host-as'), 'AS20712 Andrews & Arnold Ltd');
    // A hostile AS name is text, bounded, and made no element.
    await go(`#/hosts/${hosts.hostile}`);
    await page.waitForSelector('#host-as');
    const hostile = await page.textContent('#host-as');
    assert.ok(hostile.startsWith('AS6167 <img src=x onerror=alert(1)>'), hostile);
    assert.ok(hostile.length < 150, `bounded: ${hostile.length} characters`);
    assert.equal(await page.$$eval('#host-summary img', (els) => els.length), 0, 'no element made from an AS name');
    // The flows table: the country code beside the server's address.
    await go(`#/flows?host=${hosts.server}`);
    const server = await eventually(async () => {
      const t = await columnTexts('flows-table', 'Server');
      return t.length ? t[0] : null;
    }, 'the located flow');
    assert.match(server, /81\.2\.69\.7.*GB/);
    // Its details dialog: country and AS of both endpoints.
    await page.click('#flows-table tbody button.flow-open');
    await page.waitForSelector('dialog#flow-details[open]');
    assert.equal(await page.textContent('dialog#flow-details .geo-server'), 'GB, AS20712');
    assert.equal(await page.textContent('dialog#flow-details .geo-client'), 'unknown');  // a private address
    await shot('06b-flow-geo');
    await page.click('dialog#flow-details button.close');
    await page.waitForSelector('dialog#flow-details', {state: 'hidden'});
  });

  it('flows show the hostile names as plain text', async () => {
    await go('#/flows');
    await page.waitForSelector('#flows-table tbody td[data-label="Client"] a');
    const names = await eventually(async () => {
      const n = await page.$$eval('#flows-table .server-name', (els) => els.map((e) => e.textContent));
      return n.some((t) => t.includes('<script>')) ? n : null;
    }, 'a flow whose server name is a script payload (sorted by last seen, it may take a refresh)');
    assert.ok(names.length > 0);
    await shot('06-flows');
  });

  it('a flow opens a details dialog with every field, packet-derived names as text', async () => {
    await go('#/flows');
    await page.waitForSelector('#flows-table tbody button.flow-open');
    // The flow whose server name is the script payload: its name must show as text in the dialog too.
    const row = await eventually(async () => {
      const rows = await page.$$('#flows-table tbody tr');
      for (const r of rows) {
        const name = await r.$eval('.server-name', (e) => e.textContent).catch(() => '');
        if (name.includes('<script>')) return r;
      }
      return null;
    }, 'the flow with the script payload');
    await (await row.$('button.flow-open')).click();
    await page.waitForSelector('dialog#flow-details[open]');
    const text = await page.textContent('dialog#flow-details');
    for (const part of ['Endpoints', 'Traffic', 'Application', 'IP', 'Client', 'Server', 'First seen', 'Flow id'])
      assert.ok(text.includes(part), `the details show ${part}`);
    assert.ok(text.includes('<script>'), 'the hostile server name is shown as text');
    assert.equal(await page.$$eval('dialog#flow-details script', (els) => els.length), 0, 'no element made from a name');
    await page.click('dialog#flow-details button.close');
    await page.waitForSelector('dialog#flow-details', {state: 'hidden'});
  });

  it('a TLS flow\'s details show its handshake and certificate, markup in the subject as text', async () => {
    // run_browser_tests.py stored one TLS flow with this JA3 and a subject
    // that is an <img onerror> payload; the flows page filters by ?ja3=.
    const details = JSON.parse(process.env.WF_DETAILS);
    await go(`#/flows?ja3=${details.tls_ja3}`);
    await eventually(async () => (await page.inputValue('#flows-ja3')) === details.tls_ja3 &&
      (await page.$$('#flows-table tbody button.flow-open')).length === 1, 'only the flow with that JA3, the JA3 field holding it');
    await page.click('#flows-table tbody button.flow-open');
    await page.waitForSelector('dialog#flow-details[open]');
    const text = await page.textContent('dialog#flow-details');
    for (const part of ['TLS', 'TLSv1.2 (0x0303)', 'JA3 (client)', 'JA3S (server)', 'h2,http/1.1', details.tls_ja3,
      'Certificate subject', 'Certificate issuer', 'c0c1c2c3', 'payload inspection'])
      assert.ok(text.includes(part), `the TLS details show ${part}`);
    assert.equal(await page.textContent('dialog#flow-details .cert-subject'), details.tls_subject,
      'the hostile certificate subject is shown as literal text');
    assert.ok((await page.textContent('dialog#flow-details .cert-issuer')).includes('<b>Bold</b>'), 'the issuer as text');
    assert.equal(await page.$$eval('dialog#flow-details img, dialog#flow-details b, dialog#flow-details script', (els) => els.length), 0,
      'no element made from a certificate name');
    assert.deepEqual(await page.$$eval('dialog#flow-details .badge-bad', (els) => els.map((e) => e.textContent)), ['expired'],
      'the certificate, expired at the flow\'s time, is marked so');
    // Tall enough for the whole dialog (its body scrolls past 75 % of the
    // window): the picture in docs/img/flow-details.png.
    await page.setViewportSize({width: 1366, height: 1400});
    await shot('06b-flow-details');
    await page.setViewportSize({width: 1366, height: 900});
    // Its JA3 links to the flows sharing it.
    const links = await page.$$eval('dialog#flow-details a', (els) => els.map((e) => e.getAttribute('href')));
    assert.ok(links.includes(`#/flows?ja3=${details.tls_ja3}`), `a link to the flows with that JA3: ${links}`);
    await page.click('dialog#flow-details button.close');
    await page.waitForSelector('dialog#flow-details', {state: 'hidden'});
  });

  it('an HTTP flow\'s details show method, URL, user agent and status as text', async () => {
    const details = JSON.parse(process.env.WF_DETAILS);
    await go(`#/flows?host=${details.http_client}`);
    await eventually(async () => {
      const clients = await columnTexts('flows-table', 'Client');
      return clients.length === 1 && clients[0].startsWith(details.http_client);
    }, 'the flows page filtered by the HTTP flow\'s client');
    await page.click('#flows-table tbody button.flow-open');
    await page.waitForSelector('dialog#flow-details[open]');
    const text = await page.textContent('dialog#flow-details');
    for (const part of ['HTTP', 'GET', '200', 'guessed from the port'])
      assert.ok(text.includes(part), `the HTTP details show ${part}`);
    assert.ok((await page.textContent('dialog#flow-details .http-url')).includes("<script>alert('url')</script>"), 'the URL as text');
    assert.equal(await page.textContent('dialog#flow-details .http-user-agent'), "<img src=x onerror=alert('ua')>", 'the user agent as text');
    assert.equal(await page.$$eval('dialog#flow-details img, dialog#flow-details script', (els) => els.length), 0,
      'no element made from the URL or user agent');
    await page.click('dialog#flow-details button.close');
    await page.waitForSelector('dialog#flow-details', {state: 'hidden'});
  });

  it('a pool can be created and an unassigned device assigned to it', async () => {
    await go('#/pools');
    await page.click('#pool-add');
    await page.fill('#pool-name', 'Office laptops');
    await page.click('#pool-save');
    await page.waitForSelector('#pool-list td[data-label="Pool"] >> text=Office laptops');
    await shot('07-pools');
    await page.click('#tab-unassigned');
    await page.waitForSelector('#unassigned-list input.pick');
    // The generated capture's MACs are locally administered (02:42:...): no IEEE maker, said so.
    assert.ok((await page.textContent('#unassigned-list thead')).includes('Vendor'));
    assert.ok((await page.textContent('#unassigned-list tbody')).includes('local MAC'));
    const member = await page.getAttribute('#unassigned-list input.pick >> nth=0', 'data-member');
    await page.check('#unassigned-list input.pick >> nth=0');
    await page.selectOption('#assign-pool', {label: 'Office laptops'});
    await shot('08-unassigned-devices');
    await page.click('#assign-save');
    await page.waitForSelector('#assign-status >> text=Assigned 1 device');
    await eventually(async () => !(await page.$$eval('#unassigned-list input.pick', (els) => els.map((e) => e.dataset.member))).includes(member),
      'the device leaving the unassigned list');
    const pools = await api('GET', 'pools');
    const pool = pools.body.items.find((p) => p.name === 'Office laptops');
    assert.ok(pool, 'the pool exists in the API');
    assert.deepEqual(pool.members.map((m) => m.toLowerCase()), [member.toLowerCase()]);
  });

  it('alerts can be enabled in the preferences', async () => {
    await go('#/preferences');
    await page.waitForSelector('#pref-enabled');
    assert.equal(await page.isChecked('#pref-enabled'), false, 'alerts are off on a fresh install');
    await page.check('#pref-enabled');
    await page.check('.check-enabled[data-check="blacklisted_contact"]');
    await page.click('#prefs-save');
    await page.waitForSelector('#prefs-status >> text=Saved');
    const prefs = await api('GET', 'preferences');
    assert.equal(prefs.body.enabled, true);
    assert.equal(prefs.body.checks.blacklisted_contact.enabled, true);
    await shot('09-preferences');
  });

  it('a threshold override for one host is saved and shown again', async () => {
    await go('#/preferences');
    await page.waitForSelector('#override-add');
    await page.click('#override-add');
    const row = page.locator('#override-list tr').last();
    await row.locator('.override-check').selectOption('host_volume');
    await row.locator('.override-scope').selectOption('host');
    await row.locator('.override-match').fill('10.0.0.5');
    await row.locator('.override-threshold').fill('50000000000');
    // Each nDPI risk has its own switch: one off.
    await page.uncheck('.risk-enabled[data-risk="ndpi_known_protocol_on_non_standard_port"]');
    await page.click('#prefs-save');
    await page.waitForSelector('#prefs-status >> text=Saved');
    const prefs = await api('GET', 'preferences');
    assert.deepEqual(prefs.body.overrides, [{check: 'host_volume', host: '10.0.0.5', threshold: 50000000000}]);
    assert.equal(prefs.body.flow_risks.ndpi_tls_selfsigned_certificate.enabled, true);
    assert.equal(prefs.body.flow_risks.ndpi_known_protocol_on_non_standard_port.enabled, false);
    await go('#/preferences');
    await page.waitForSelector('#override-list tr');
    assert.equal(await page.inputValue('#override-list tr .override-match'), '10.0.0.5');
    await shot('09b-preferences-overrides');
    // A malformed one is refused with the collector's reason, nothing saved.
    await page.fill('#override-list tr .override-match', '10.0.0.300');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/preferences') && r.request().method() === 'PUT'),
      page.click('#prefs-save')]);
    assert.equal(refused.status(), 400);
    const again = await api('GET', 'preferences');
    assert.equal(again.body.overrides[0].host, '10.0.0.5');
  });

  it('a notification endpoint shows its status and sends a test message', async () => {
    await go('#/preferences');
    await page.waitForSelector('#endpoint-list tr[data-endpoint="ops-syslog"]');
    await page.click('.endpoint-test[data-endpoint="ops-syslog"]');
    await page.waitForSelector('#endpoint-list tr[data-endpoint="ops-syslog"] >> text=delivered');
    const list = await api('GET', 'notifications');
    const ops = list.body.items.find((e) => e.name === 'ops-syslog');
    assert.equal(ops.kind, 'syslog');
    assert.ok(ops.sent >= 1, 'the test message counts as sent');
    await shot('09c-notification-endpoints');
  });

  it('traffic to a blacklisted server raises an alert that can be acknowledged', async () => {
    // A second replay, now that alerts are on: its flows reach the
    // blacklisted server.
    execFileSync(JSON.parse(process.env.WF_REPLAY)[0], JSON.parse(process.env.WF_REPLAY).slice(1), {stdio: 'inherit', timeout: 240000});
    await go('#/alerts');
    await page.waitForSelector('#alerts-table');
    await page.selectOption('#alerts-type', 'blacklisted_server_contact');
    const row = await eventually(async () => {
      const rows = await page.$$('#alerts-table tbody tr');
      for (const r of rows) {
        const type = await r.$eval('td[data-label="Type"]', (td) => td.textContent).catch(() => '');
        const text = await r.textContent();
        if (type === 'blacklisted server contact' && text.includes(blacklistedIp) && (await r.$('button.ack'))) return r;
      }
      return null;
    }, 'a blacklisted contact alert naming the blacklisted server', 90000);
    await shot('10-alerts');
    const id = await row.$eval('button.ack', (b) => b.dataset.alert);
    await row.$eval('button.ack', (b) => b.click());
    await eventually(async () => {
      const a = await api('GET', 'alerts?type=blacklisted_server_contact&limit=100');
      return a.body.items.find((x) => String(x.id) === id)?.acknowledged;
    }, 'the alert acknowledged in the API');
    await page.selectOption('#alerts-acknowledged', 'true');
    await page.waitForSelector(`#alerts-table .acked`);
    assert.match(await page.textContent('#alerts-table'), /by admin/);
    await shot('11-alerts-acknowledged');
  });

  it('blacklists, probes and the dashboard show their state', async () => {
    await go('#/blacklists');
    await page.waitForSelector('#blacklist-list tbody td[data-label="Source"]');
    await eventually(async () => {
      const entries = await page.$$eval('#blacklist-list td[data-label="Entries"]', (tds) => tds.map((t) => t.textContent));
      return entries.includes('1');
    }, 'the test blacklist with its one entry');
    await shot('12-blacklists');
    await go('#/probes');
    await page.waitForSelector('#probe-list .probe');
    assert.match(await page.textContent('#probe-list'), /browser-probe/);
    await shot('13-probes');
    await go('#/dashboard');
    await page.waitForSelector('#top-hosts tbody tr td[data-label="Host"] a');
    await eventually(async () => (await page.$$('#top-apps tbody td[data-label="Application"]')).length > 0, 'top applications');
  });

  it('works at phone width: menu behind a button, nothing wider than the screen', async () => {
    await page.setViewportSize({width: 390, height: 844});
    for (const [hash, ready, name] of [['#/dashboard', '#top-hosts tbody tr', '14-phone-dashboard'],
      ['#/hosts', '#hosts-table tbody tr', '15-phone-hosts'], ['#/alerts', '#alerts-table tbody tr', '16-phone-alerts'],
      ['#/flows', '#flows-table tbody tr', '16-phone-flows'], ['#/hosts/192.168.1.10', '#host-flows tbody tr', '16-phone-host'],
      ['#/pools', '#pool-list tbody tr', '16-phone-pools'], ['#/preferences', '#pref-enabled', '16-phone-preferences'],
      ['#/blacklists', '#blacklist-list tbody tr', '16-phone-blacklists'], ['#/probes', '#probe-list .probe', '16-phone-probes']]) {
      await go(hash);
      await page.waitForSelector(ready);
      assert.equal(await page.isVisible('#nav a[data-page="hosts"]'), false, 'the menu is folded');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${hash} is ${overflow}px wider than the phone screen`);
      await shot(name);
    }
    await page.click('#menu-toggle');
    assert.equal(await page.isVisible('#nav a[data-page="hosts"]'), true, 'the menu opens');
    await page.setViewportSize({width: 1366, height: 900});
  });

  it('a viewer sees the data but no control that changes it', async () => {
    // The admin adds the account on the users page; its owner must choose
    // a new password at the first login.
    await go('#/users');
    await page.fill('#user-name', 'viewer1');
    await page.selectOption('#user-role', 'viewer');
    await page.fill('#user-password', 'initial-Pa55word!');
    await page.click('#user-form button[type="submit"]');
    await page.waitForSelector('#user-list td[data-label="User"] >> text=viewer1');
    await shot('17-users');
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.fill('#login-username', 'viewer1');
    await page.fill('#login-password', 'initial-Pa55word!');
    await page.click('#login-submit');
    await page.waitForSelector('#password-form');
    await page.fill('#pw-old', 'initial-Pa55word!');
    await page.fill('#pw-new', 'viewer-Pa55word!');
    await page.fill('#pw-again', 'viewer-Pa55word!');
    await page.click('#pw-submit');
    await page.waitForSelector('#stat-hosts');
    assert.equal(await page.isVisible('#nav a[data-page="users"]'), false, 'no users page for viewers');
    assert.match(await page.textContent('#session-user'), /viewer1 \(viewer\)/);
    await go('#/pools');
    await page.waitForSelector('#pool-list td[data-label="Pool"]');
    assert.equal(await page.isVisible('#pool-add'), false, 'no + for viewers');
    await go('#/alerts');
    await page.waitForSelector('#alerts-table tbody tr');
    assert.equal(await page.isVisible('#alerts-table button.ack'), false, 'no acknowledge for viewers');
    await go('#/preferences');
    await page.waitForSelector('#pref-enabled');
    assert.equal(await page.isDisabled('#pref-enabled'), true);
    assert.equal(await page.isVisible('#prefs-save'), false);
    await shot('18-viewer-preferences');
    const refused = await api('PUT', 'preferences', {enabled: false});
    assert.equal(refused.status, 403, 'the server refuses a viewer too');
  });

  it('no script payload ran and the page stayed within its policy', async () => {
    assert.deepEqual(dialogs, [], 'no alert()/confirm() dialog opened');
    assert.equal(await page.evaluate(() => window.__wf_xss), undefined);
    assert.deepEqual(await page.evaluate(() => window.__wf_csp ?? []), [], 'no Content-Security-Policy violation');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img, iframe, object, embed').length), 0,
      'no element built from packet data');
    assert.equal(await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length), 0, 'no inline script');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
    assert.deepEqual(failedRequests, [], 'no 5xx answer');
  });
});
