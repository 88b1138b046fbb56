import * as api from '../api.js';
import * as fmt from '../format.js';
import {h, replace, option, field} from '../dom.js';
import {pageHeader} from '../widgets.js';

const severities = ['info', 'notice', 'warning', 'error', 'critical'];
// What each check's threshold means (collector/alert/alert_types.hpp).
const units = {
  blacklisted_contact: '', syn_scan: 'ports per window', host_scan: 'hosts per window', flow_flood: 'flows/s',
  icmp_flood: 'packets/s', host_volume: 'bytes/min', pool_volume: 'bytes/min', new_device: '',
  probe_packet_drops: '% of packets', probe_export_drops: 'records per window', probe_silent: 's',
  blacklist_update_failed: '', flow_risk: '', syn_flood: 'SYNs/s', dns_flood: 'queries/s', long_lived_flow: 's',
  elephant_flow: 'bytes per record', insecure_protocol: '', host_packets: 'packets/min', pool_packets: 'packets/min',
  pool_flows: 'flows/min', probe_spool_growing: 'batches', nft_sync_failed: '', unexpected_server: '',
  ip_mac_change: '', tcp_no_data: '',
};
const scopes = ['host', 'pool', 'network'];

// One row of the per-host/pool/network overrides table (threshold_override.hpp).
function overrideRow(checkNames, o, onRemove) {
  const scope = scopes.find((s) => o[s] !== undefined) ?? 'host';
  const check = h('select', {class: 'override-check', 'aria-label': 'Check'}, checkNames.map((c) => option(c, c.replaceAll('_', ' '), o.check)));
  const where = h('select', {class: 'override-scope', 'aria-label': 'Applies to'}, scopes.map((s) => option(s, s, scope)));
  const match = h('input', {type: 'text', class: 'override-match', maxlength: 128, required: true, value: o[scope] ?? '',
    placeholder: '10.0.0.5, 10.0.0.0/24 or a pool name', 'aria-label': 'Host, network or pool'});
  const state = h('select', {class: 'override-enabled', 'aria-label': 'Switch'},
    [option('', 'as the check', ''), option('on', 'on', o.enabled === true ? 'on' : ''), option('off', 'off', o.enabled === false ? 'off' : '')]);
  const thr = h('input', {type: 'number', class: 'override-threshold', min: 0, step: 'any', value: o.threshold ?? '', placeholder: 'as the check', 'aria-label': 'Threshold'});
  const remove = h('button', {type: 'button', class: 'admin-only override-remove'}, 'Remove');
  const row = h('tr', {}, h('td', {'data-label': 'Check'}, check), h('td', {'data-label': 'Applies to'}, where, ' ', match),
    h('td', {'data-label': 'Switch'}, state), h('td', {'data-label': 'Threshold'}, thr), h('td', {}, remove));
  remove.addEventListener('click', () => onRemove(row));
  const value = () => {
    const out = {check: check.value, [where.value]: match.value.trim()};
    if (state.value) out.enabled = state.value === 'on';
    if (thr.value !== '') out.threshold = Number(thr.value);
    return out;
  };
  return {row, value};
}

// The notification endpoints (--notify options and the preferences' syslog
// and webhook) with their delivery status and a test button. Admins only: the
// API refuses viewers, whose page simply has no such section.
async function endpointsCard(ctx) {
  const body = h('tbody', {id: 'endpoint-list'});
  const card = h('div', {class: 'card', id: 'endpoints-card'}, h('h2', {}, 'Notification endpoints'),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
      h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Target', 'Minimum', 'Sent', 'Failed', 'Last error', ''].map((t) => h('th', {}, t)))),
      body)));
  const results = new Map();   // endpoint -> outcome of its last test, kept across refreshes
  const fill = async () => {
    const list = api.items(await api.get('notifications'));
    if (!ctx.alive()) return;
    replace(body, list.length === 0
      ? h('tr', {}, h('td', {colspan: 8, class: 'muted'}, 'No endpoint: add --notify lines to the collector\'s configuration, or a webhook below.'))
      : list.map((e) => {
        const result = h('span', {class: 'muted endpoint-result', role: 'status'}, results.get(e.name) ?? '');
        const test = h('button', {type: 'button', class: 'endpoint-test', 'data-endpoint': e.name}, 'Send test');
        test.addEventListener('click', async () => {
          test.disabled = true;
          result.textContent = 'sending…';
          try {
            const r = await api.post(`notifications/${encodeURIComponent(e.name)}/test`);
            results.set(e.name, r.ok ? 'delivered' : `failed: ${r.error}`);
            await fill();
          } catch (err) {
            ctx.fail(err);
          } finally {
            test.disabled = false;
          }
        });
        return h('tr', {'data-endpoint': e.name},
          h('td', {'data-label': 'Name'}, e.name), h('td', {'data-label': 'Kind'}, e.kind),
          h('td', {'data-label': 'Target'}, e.target), h('td', {'data-label': 'Minimum'}, e.min_severity),
          h('td', {'data-label': 'Sent'}, fmt.count(e.sent)), h('td', {'data-label': 'Failed'}, fmt.count(e.failed)),
          h('td', {'data-label': 'Last error', class: 'endpoint-error'}, e.last_error ? `${e.last_error} (${fmt.ago(e.last_failure)})` : '–'),
          h('td', {}, test, ' ', result));
      }));
  };
  await fill();
  return card;
}

export async function render(ctx) {
  const form = h('form', {class: 'card', id: 'prefs-form'});
  const status = h('span', {class: 'muted', id: 'prefs-status', role: 'status'});
  ctx.root.append(pageHeader('Preferences'), form);
  const prefs = await api.get('preferences');
  if (!ctx.alive()) return;

  const enabled = h('input', {type: 'checkbox', id: 'pref-enabled', checked: Boolean(prefs.enabled)});
  const quiet = h('input', {type: 'number', id: 'pref-quiet', min: 0, step: 1, value: String(prefs.quiet_period_s ?? 300)});
  const rows = Object.entries(prefs.checks ?? {}).map(([name, c]) => {
    const on = h('input', {type: 'checkbox', class: 'check-enabled', 'data-check': name, checked: Boolean(c.enabled), 'aria-label': `Enable ${name}`});
    const sev = h('select', {class: 'check-severity', 'data-check': name, 'aria-label': `Severity of ${name}`}, severities.map((s) => option(s, s, c.severity)));
    const thr = h('input', {type: 'number', class: 'check-threshold', 'data-check': name, min: 0, step: 'any', value: String(c.threshold ?? 0), 'aria-label': `Threshold of ${name}`});
    return {name, on, sev, thr, row: h('tr', {},
      h('td', {'data-label': 'Check'}, h('label', {}, on, ' ', name.replaceAll('_', ' '))),
      h('td', {'data-label': 'Severity'}, sev),
      // One-shot checks have no threshold: the value is kept but not shown.
      h('td', {'data-label': 'Threshold'}, units[name] === '' ? '–'
        : h('span', {class: 'threshold'}, thr, h('span', {class: 'muted'}, units[name] ?? ''))))};
  });
  // One switch and severity per nDPI flow risk, under the flow_risk check.
  const risks = Object.entries(prefs.flow_risks ?? {}).map(([name, r]) => {
    const on = h('input', {type: 'checkbox', class: 'risk-enabled', 'data-risk': name, checked: Boolean(r.enabled), 'aria-label': `Enable ${name}`});
    const sev = h('select', {class: 'risk-severity', 'data-risk': name, 'aria-label': `Severity of ${name}`}, severities.map((s) => option(s, s, r.severity)));
    return {name, on, sev, row: h('tr', {},
      h('td', {'data-label': 'Risk'}, h('label', {}, on, ' ', r.description ?? name)),
      h('td', {'data-label': 'Alert type'}, h('code', {}, name)),
      h('td', {'data-label': 'Severity'}, sev))};
  });
  // The unexpected_server check's allow-lists, one per service (empty: not checked).
  const servers = Object.entries(prefs.allowed_servers ?? {}).map(([name, list]) => ({name,
    input: h('input', {type: 'text', class: 'allowed-servers', 'data-service': name, value: (list ?? []).join(', '),
      placeholder: 'not checked', 'aria-label': `Allowed ${name} servers`})}));
  const checkNames = Object.keys(prefs.checks ?? {});
  const overrideBody = h('tbody', {id: 'override-list'});
  let overrides = [];
  const addOverride = (o) => {
    const r = overrideRow(checkNames, o, (row) => { overrides = overrides.filter((x) => x.row !== row); row.remove(); });
    overrides.push(r);
    overrideBody.append(r.row);
  };
  for (const o of prefs.overrides ?? []) addOverride(o);
  const addButton = h('button', {type: 'button', class: 'admin-only', id: 'override-add'}, 'Add override');
  addButton.addEventListener('click', () => addOverride({check: 'host_volume'}));
  const n = prefs.notifications ?? {};
  const syslog = h('input', {type: 'checkbox', id: 'pref-syslog', checked: Boolean(n.syslog)});
  const syslogMin = h('select', {id: 'pref-syslog-min'}, severities.map((s) => option(s, s, n.syslog_min_severity)));
  const webhook = h('input', {type: 'url', id: 'pref-webhook', maxlength: 2048, placeholder: 'https://…', value: n.webhook_url ?? ''});
  const webhookMin = h('select', {id: 'pref-webhook-min'}, severities.map((s) => option(s, s, n.webhook_min_severity)));
  const save = h('button', {type: 'submit', class: 'primary admin-only', id: 'prefs-save'}, 'Save');

  replace(form,
    h('h2', {}, 'Alerts'),
    h('label', {class: 'switch'}, enabled, ' Enable alerts'),
    field('Quiet period for one-shot alerts (s)', quiet),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Check'), h('th', {}, 'Severity'), h('th', {}, 'Threshold'))),
      h('tbody', {}, rows.map((r) => r.row)))),
    h('h2', {}, 'nDPI flow risks'),
    h('p', {class: 'muted'}, 'Each risk nDPI finds on a flow is its own alert type (with the flow risk check on).'),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data', id: 'risk-table'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Risk'), h('th', {}, 'Alert type'), h('th', {}, 'Severity'))),
      h('tbody', {}, risks.map((r) => r.row)))),
    h('h2', {}, 'Allowed servers'),
    h('p', {class: 'muted'}, 'Addresses or prefixes, comma-separated. Any other host answering as such a server raises unexpected_…_server; a service left empty is not checked.'),
    servers.map((s) => field(`${s.name.toUpperCase()} servers`, s.input)),
    h('h2', {}, 'Thresholds per host, pool and network'),
    h('p', {class: 'muted'}, 'A host\'s own setting wins over its pool\'s, which wins over its network\'s (the longest prefix), which wins over the check\'s.'),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data', id: 'override-table'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Check'), h('th', {}, 'Applies to'), h('th', {}, 'Switch'), h('th', {}, 'Threshold'), h('th', {}, ''))),
      overrideBody)),
    h('div', {class: 'toolbar'}, addButton),
    h('h2', {}, 'Notifications'),
    h('label', {class: 'switch'}, syslog, ' Send alerts to syslog'), field('Minimum severity for syslog', syslogMin),
    field('Webhook URL', webhook), field('Minimum severity for the webhook', webhookMin),
    h('div', {class: 'toolbar'}, save, status));
  // Viewers see the settings but cannot edit them.
  if (api.isViewer()) for (const el of form.querySelectorAll('input, select, button')) el.disabled = true;

  if (!api.isViewer()) {
    const endpoints = await endpointsCard(ctx);
    if (!ctx.alive()) return;
    ctx.root.append(endpoints);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    const checks = {};
    for (const r of rows) checks[r.name] = {enabled: r.on.checked, severity: r.sev.value, threshold: Number(r.thr.value)};
    const body = {
      enabled: enabled.checked,
      quiet_period_s: Number(quiet.value),
      checks,
      overrides: overrides.map((o) => o.value()),
      allowed_servers: Object.fromEntries(servers.map((s) => [s.name, s.input.value.split(',').map((v) => v.trim()).filter(Boolean)])),
      flow_risks: Object.fromEntries(risks.map((r) => [r.name, {enabled: r.on.checked, severity: r.sev.value}])),
      notifications: {syslog: syslog.checked, syslog_min_severity: syslogMin.value, webhook_url: webhook.value.trim(), webhook_min_severity: webhookMin.value},
    };
    save.disabled = true;
    try {
      await api.put('preferences', body);
      status.textContent = 'Saved.';
    } catch (e) {
      ctx.fail(e);
    } finally {
      save.disabled = false;
    }
  });
}
