import * as api from '../api.js';
import {h, replace, route} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {badge, pageHeader} from '../widgets.js';

export async function render(ctx) {
  const list = h('div', {id: 'probe-list'});
  ctx.root.append(pageHeader('Probes'), list);
  await ctx.every(5000, async () => {
    const probes = api.items(await api.get('probes'));
    if (!ctx.alive()) return;
    const cards = probes.map((p) => h('div', {class: 'card probe'},
      h('h2', {}, p.up ? badge('up', 'ok') : badge('down', 'bad'), ' ', p.probe_id, ' ',
        h('a', {class: 'button probe-charts', href: route('charts', {scope: 'probe', id: p.probe_id})}, 'Charts')),
      h('dl', {class: 'facts'},
        fact('Last report', fmt.ago(p.last_seen)),
        fact('Packets', fmt.count(p.packets)), fact('Bytes', fmt.bytes(p.bytes)),
        fact('NIC drops', fmt.count(p.nic_drops)), fact('Export drops', fmt.count(p.export_drops)),
        fact('Sequence gaps', fmt.count(p.sequence_gaps)), fact('Active flows', fmt.count(p.flows_active))),
      simpleTable([
        {label: 'Port', value: (x) => h('a', {href: route('charts', {scope: 'interface', id: `${p.probe_id}/${x.port_id}`})},
          `${x.port_id ?? ''} ${x.name ?? ''}`.trim())},
        {label: 'Packets', num: true, value: (x) => fmt.count(x.rx_packets)},
        {label: 'Bytes', num: true, value: (x) => fmt.bytes(x.rx_bytes)},
        {label: 'Drops', num: true, value: (x) => fmt.count(x.nic_drops)},
      ], p.ports ?? [], {empty: 'No ports reported.'})));
    replace(list, cards.length ? cards : h('p', {class: 'muted'}, 'No probe has reported yet.'));
  });
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}
