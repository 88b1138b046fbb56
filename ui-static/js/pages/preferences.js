import * as api from '../api.js';
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
  pool_flows: 'flows/min', probe_spool_growing: 'batches', nft_sync_failed: '',
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
