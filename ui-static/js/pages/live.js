// Live flows: the flows in progress, from the probes' interim reports
// (GET /api/v1/flows?state=active), refreshed every few seconds, busiest
// first. A flow shows here seconds after its first packet and leaves when
// its final record is stored (then it is on the Flows page).
import * as api from '../api.js';
import {h, option, field, replace} from '../dom.js';
import * as fmt from '../format.js';
import {pagedTable} from '../table.js';
import {pageHeader} from '../widgets.js';
import {flowColumns} from './flows.js';

const refreshMs = 3000;

export function liveColumns() {
  const cols = flowColumns(true).filter((c) => c.label !== 'Blacklist');
  const throughput = {label: 'Throughput', num: true, sort: 'throughput', value: (r) => fmt.bps(r.throughput_bps)};
  const i = cols.findIndex((c) => c.label === 'Bytes');
  cols.splice(i, 0, throughput);
  cols.push({label: 'Probe', value: (r) => r.probe_id});
  return cols;
}

export async function render(ctx) {
  const q = ctx.query;
  const host = h('input', {id: 'live-host', type: 'search', placeholder: 'IP address', maxlength: 64, value: q.get('host') ?? ''});
  const app = h('input', {id: 'live-app', type: 'search', placeholder: 'e.g. TLS', maxlength: 64, value: q.get('app') ?? ''});
  const pool = h('select', {id: 'live-pool'}, option('', 'Any pool', ''));
  const probe = h('select', {id: 'live-probe'}, option('', 'Any probe', ''));
  const form = h('form', {class: 'filters', id: 'live-form'},
    field('Host', host), field('Application', app), field('Pool', pool), field('Probe', probe),
    h('button', {type: 'submit'}, 'Filter'));
  const status = h('p', {class: 'muted', id: 'live-status'});
  const table = pagedTable({
    id: 'live-table',
    sort: 'throughput',
    columns: liveColumns(),
    filters: () => ({state: 'active', host: host.value.trim(), vlan: q.get('vlan') ?? '', app: app.value.trim(),
      pool: pool.value, probe: probe.value}),
    load: async (params) => {
      const page = await api.get('flows', params);
      status.textContent = `${fmt.count(api.total(page))} flows in progress, updated ${fmt.time(Date.now())}`;
      return page;
    },
    empty: 'No flow in progress matches (probes report live flows every few seconds).',
  });
  const apply = () => { table.reset(); table.refresh().catch(ctx.fail); };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
  pool.addEventListener('change', apply);
  probe.addEventListener('change', apply);
  ctx.root.append(pageHeader('Live flows'), form, status, table.el);

  // The choices: pools and probes the collector knows (names are text).
  const [pools, probes] = await Promise.all([
    api.get('pools').then(api.items).catch(() => []),
    api.get('probes').then(api.items).catch(() => []),
  ]);
  if (!ctx.alive()) return;
  replace(pool, option('', 'Any pool', ''), pools.map((p) => option(p.id, p.id === 0 ? 'Unassigned hosts' : p.name, q.get('pool') ?? '')));
  replace(probe, option('', 'Any probe', ''), probes.map((p) => option(p.probe_id, p.probe_id, q.get('probe') ?? '')));
  await ctx.every(refreshMs, table.refresh);
}
