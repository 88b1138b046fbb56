import * as api from '../api.js';
import {h, option, field} from '../dom.js';
import * as fmt from '../format.js';
import {pagedTable} from '../table.js';
import {badge, pageHeader, rangeSelect, severityBadge} from '../widgets.js';

const severities = ['info', 'notice', 'warning', 'error', 'critical'];
// Stored alert types (docs/alerts.md), several per check.
const types = ['blacklisted_client_contact', 'blacklisted_server_contact', 'syn_scan_attacker', 'syn_scan_victim',
  'host_scan_attacker', 'flow_flood_attacker', 'flow_flood_victim', 'icmp_flood_attacker', 'icmp_flood_victim',
  'host_volume', 'pool_volume', 'new_device', 'probe_packet_drops', 'probe_export_drops', 'probe_silent',
  'blacklist_update_failed', 'syn_flood_attacker', 'syn_flood_victim', 'dns_flood_attacker',
  'dns_flood_victim', 'long_lived_flow', 'elephant_flow', 'remote_to_local_insecure_protocol', 'host_packets',
  'pool_packets', 'pool_flows', 'probe_spool_growing', 'nft_sync_failed', 'flow_risk'];
// One more type per nDPI risk (ndpi_...): their names come from the preferences.
async function riskTypes() {
  try {
    return Object.keys((await api.get('preferences')).flow_risks ?? {});
  } catch {
    return [];
  }
}

export async function render(ctx) {
  const state = h('select', {id: 'alerts-state', 'aria-label': 'State'},
    option('', 'Engaged and past', ''), option('engaged', 'Engaged', ''), option('released', 'Past', ''));
  const severity = h('select', {id: 'alerts-severity', 'aria-label': 'Minimum severity'},
    option('', 'Any severity', ''), severities.map((s) => option(s, `${s} or worse`, '')));
  const type = h('select', {id: 'alerts-type', 'aria-label': 'Type'},
    option('', 'Any type', ''), [...types, ...await riskTypes()].map((t) => option(t, t.replaceAll('_', ' '), '')));
  const acked = h('select', {id: 'alerts-acknowledged', 'aria-label': 'Acknowledged'},
    option('', 'Acknowledged or not', ''), option('false', 'Not acknowledged', ''), option('true', 'Acknowledged', ''));
  const range = rangeSelect('alerts-range', 'Any time');
  const entity = h('input', {id: 'alerts-entity', type: 'search', placeholder: 'Entity (e.g. 10.0.0.1@0)', maxlength: 128});

  const table = pagedTable({
    id: 'alerts-table',
    columns: [
      {label: 'Severity', value: (a) => severityBadge(a.severity)},
      {label: 'Type', value: (a) => (a.type ?? '').replaceAll('_', ' ')},
      {label: 'Entity', value: (a) => `${a.entity_type ?? ''} ${a.entity_id ?? ''}`.trim()},
      {label: 'Message', value: (a) => h('span', {class: 'alert-message'}, a.message ?? '')},
      {label: 'Started', num: true, value: (a) => fmt.time(a.started_at)},
      {label: 'Ended', num: true, value: (a) => (a.ended_at ? fmt.time(a.ended_at) : badge('engaged', 'bad'))},
      {label: 'Acknowledged', value: (a) => (a.acknowledged
        ? h('span', {class: 'acked'}, `by ${a.acknowledged_by || '?'}`)
        : h('button', {type: 'button', class: 'ack admin-only', 'data-alert': String(a.id), onclick: async (ev) => {
          ev.target.disabled = true;
          try { await api.post(`alerts/${encodeURIComponent(a.id)}/ack`, {}); await table.refresh(); } catch (e) { ctx.fail(e); ev.target.disabled = false; }
        }}, 'Acknowledge'))},
    ],
    filters: () => {
      const e = entity.value.trim();
      return {state: state.value, severity: severity.value, type: type.value, acknowledged: acked.value, entity_id: e, ...range.params()};
    },
    load: (params) => api.get('alerts', params),
    empty: 'No alerts match.',
  });
  for (const c of [state, severity, type, acked, range.el]) c.addEventListener('change', () => { table.reset(); table.refresh().catch(ctx.fail); });
  let t = 0;
  entity.addEventListener('input', () => { clearTimeout(t); t = setTimeout(() => { table.reset(); table.refresh().catch(ctx.fail); }, 300); });
  ctx.root.append(pageHeader('Alerts'),
    h('div', {class: 'filters'}, field('State', state), field('Severity', severity), field('Type', type), field('Acknowledged', acked), field('Started', range.el), field('Entity', entity)),
    table.el);
  await ctx.every(4000, table.refresh);
}
