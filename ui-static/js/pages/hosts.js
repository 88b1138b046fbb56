import * as api from '../api.js';
import {h, option} from '../dom.js';
import * as fmt from '../format.js';
import {pagedTable} from '../table.js';
import {asText, badge, hostLink, pageHeader} from '../widgets.js';

export async function render(ctx) {
  const scope = h('select', {id: 'hosts-scope', 'aria-label': 'Which hosts'},
    option('', 'All hosts', ''), option('true', 'Local hosts', ''), option('false', 'Remote hosts', ''));
  const pools = await api.get('pools').catch(() => ({items: []}));
  const pool = h('select', {id: 'hosts-pool', 'aria-label': 'Pool'},
    option('', 'Any pool', ''), api.items(pools).map((p) => option(p.id, p.id === 0 ? 'No pool' : p.name, '')));
  const initialPool = ctx.query.get('pool');
  if (initialPool) pool.value = initialPool;

  const table = pagedTable({
    id: 'hosts-table',
    search: true,
    searchLabel: 'Search IP, MAC or name',
    sort: 'bytes',
    columns: [
      {label: 'Host', value: (r) => hostLink(r.ip, r.vlan, r.ip)},
      {label: 'Name', value: (r) => r.name || '–'},
      {label: 'VLAN', num: true, value: (r) => String(r.vlan ?? 0)},
      {label: 'MAC', value: (r) => r.mac || '–'},
      {label: 'Country / AS', value: (r) => h('span', {class: 'host-geo'},
        h('span', {class: 'host-country'}, r.country || '–'), ' ', h('span', {class: 'host-as muted'}, asText(r.asn, r.as_name)))},
      {label: 'Where', value: (r) => [r.local ? badge('local', 'ok') : badge('remote', 'muted'), r.blacklisted ? badge('blacklisted', 'bad') : null]},
      {label: 'Sent', num: true, sort: 'bytes_sent', value: (r) => fmt.bytes(r.bytes_sent)},
      {label: 'Received', num: true, sort: 'bytes_rcvd', value: (r) => fmt.bytes(r.bytes_rcvd)},
      {label: 'Total', num: true, sort: 'bytes', value: (r) => fmt.bytes((r.bytes_sent ?? 0) + (r.bytes_rcvd ?? 0))},
      {label: 'Packets', num: true, sort: 'packets', value: (r) => fmt.count((r.packets_sent ?? 0) + (r.packets_rcvd ?? 0))},
      {label: 'Flows', num: true, sort: 'flows', value: (r) => fmt.count((r.flows_as_client ?? 0) + (r.flows_as_server ?? 0))},
      {label: 'Throughput', num: true, sort: 'throughput', value: (r) => fmt.bps(r.throughput_bps)},
      {label: 'Last seen', num: true, sort: 'last_seen', value: (r) => fmt.ago(r.last_seen)},
    ],
    filters: () => ({local: scope.value, pool: pool.value}),
    load: (params) => api.get('hosts', params),
    empty: 'No hosts match.',
  });
  for (const s of [scope, pool]) s.addEventListener('change', () => { table.reset(); table.refresh().catch(ctx.fail); });
  ctx.root.append(pageHeader('Hosts', scope, pool), table.el);
  await ctx.every(5000, table.refresh);
}
