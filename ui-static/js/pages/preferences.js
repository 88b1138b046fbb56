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
  elephant_flow: 'bytes per record', insecure_protocol: '',
};

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
    h('h2', {}, 'Notifications'),
    h('label', {class: 'switch'}, syslog, ' Send alerts to syslog'), field('Minimum severity for syslog', syslogMin),
    field('Webhook URL', webhook), field('Minimum severity for the webhook', webhookMin),
    h('div', {class: 'toolbar'}, save, status));
  // Viewers see the settings but cannot edit them.
  if (api.isViewer()) for (const el of form.querySelectorAll('input, select')) el.disabled = true;

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    const checks = {};
    for (const r of rows) checks[r.name] = {enabled: r.on.checked, severity: r.sev.value, threshold: Number(r.thr.value)};
    const body = {
      enabled: enabled.checked,
      quiet_period_s: Number(quiet.value),
      checks,
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
