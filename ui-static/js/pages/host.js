import * as api from '../api.js';
import {h, clear, replace, route, option} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {asText, badge, hostLink, pageHeader, throughputChart} from '../widgets.js';
import {flowColumns} from './flows.js';

export async function render(ctx) {
  const ip = ctx.params[0] ?? '';
  const vlan = ctx.query.get('vlan') ?? '';
  const summary = h('div', {class: 'card', id: 'host-summary'});
  const peers = h('div', {id: 'host-peers'});
  const apps = h('div', {id: 'host-apps'});
  const flows = h('div', {id: 'host-flows'});
  const health = h('div', {id: 'host-tcp-health'});
  const chartBox = h('div', {class: 'chart', id: 'host-chart'});
  // Admins can put the host into a pool by its address (pool members are
  // IPs, CIDRs or MACs).
  const pools = api.items(await api.get('pools').catch(() => ({items: []}))).filter((p) => p.id !== 0);
  const target = h('select', {id: 'host-pool-target', 'aria-label': 'Pool'}, pools.map((p) => option(p.id, p.name, '')));
  const assign = h('form', {class: 'inline-form admin-only', id: 'host-pool-form', hidden: !pools.length},
    target, h('button', {type: 'submit'}, 'Add to pool'));
  assign.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.post(`pools/${encodeURIComponent(target.value)}/members`, {members: [ip]});
      ctx.notice(`${ip} added to ${target.selectedOptions[0]?.textContent ?? 'the pool'}.`, 'info');
    } catch (e) {
      ctx.fail(e);
    }
  });
  ctx.root.append(
    pageHeader(`Host ${fmt.hostLabel({ip, vlan: Number(vlan) || 0})}`, assign,
      h('a', {class: 'button', href: route('flows', {host: ip, vlan})}, 'All flows of this host'),
      h('a', {class: 'button', id: 'host-live', href: route('live', {host: ip, vlan})}, 'Live flows'),
      h('a', {class: 'button', id: 'host-charts', href: route('charts', {scope: 'host', id: `${ip}@${Number(vlan) || 0}`, range: 86400})}, 'Charts')),
    summary,
    h('div', {class: 'card'}, h('h2', {}, 'Traffic, last 6 hours'), chartBox),
    h('div', {class: 'grid2'},
      h('div', {class: 'card'}, h('h2', {}, 'Top peers'), peers),
      h('div', {class: 'card'}, h('h2', {}, 'Applications'), apps)),
    h('div', {class: 'card'}, h('h2', {}, 'TCP health of its recent flows'), health),
    h('div', {class: 'card'}, h('h2', {}, 'Recent flows'), flows));

  // Local hosts have minute series (scope host, id IP@VLAN); remote ones none.
  let chart = null;
  ctx.every(15000, async () => {
    const id = `${ip}@${Number(vlan) || 0}`;
    const [sent, rcvd] = await Promise.all(['bytes_sent', 'bytes_rcvd'].map((metric) =>
      api.get('timeseries', {metric, scope: 'host', id, from: Math.floor(Date.now() / 1000) - 6 * 3600, step: 60})));
    if (!ctx.alive()) return;
    const xs = api.items(sent).map((p) => p.ts);
    if (!xs.length) {
      replace(chartBox, h('p', {class: 'muted'}, 'No time series yet (kept for local hosts, written every minute).'));
      return;
    }
    if (!chart) {
      clear(chartBox);
      chart = await throughputChart(chartBox, ['Sent', 'Received']);
      ctx.onLeave(() => chart.destroy());
    }
    const byTs = new Map(api.items(rcvd).map((p) => [p.ts, p.value]));
    chart.set([xs, api.items(sent).map((p) => (p.value * 8) / 60), xs.map((t) => ((byTs.get(t) ?? 0) * 8) / 60)]);
  }).catch(ctx.fail);

  await ctx.every(5000, async () => {
    const data = await api.get(`hosts/${encodeURIComponent(ip)}`, vlan ? {vlan} : undefined);
    if (!ctx.alive()) return;
    const host = data;
    replace(summary, h('dl', {class: 'facts'},
      fact('IP', host.ip), fact('VLAN', String(host.vlan ?? 0)), fact('Name', host.name || '–'),
      fact('MAC', host.mac ? (host.vendor ? `${host.mac} (${host.vendor})` : host.mac) : '–'),
      fact('Where', [host.local ? badge('local', 'ok') : badge('remote', 'muted'), host.blacklisted ? badge('blacklisted', 'bad') : null]),
      fact('Pool', host.pool || 'none'),
      fact('Country', h('span', {id: 'host-country'}, host.country || 'unknown')),
      fact('Autonomous system', h('span', {id: 'host-as'}, host.asn ? asText(host.asn, host.as_name) : 'unknown')),
      fact('Sent', `${fmt.bytes(host.bytes_sent)} / ${fmt.count(host.packets_sent)} packets`),
      fact('Received', `${fmt.bytes(host.bytes_rcvd)} / ${fmt.count(host.packets_rcvd)} packets`),
      fact('Flows', `${fmt.count(host.flows_as_client)} as client, ${fmt.count(host.flows_as_server)} as server`),
      fact('Throughput', fmt.bps(host.throughput_bps)),
      fact('First seen', fmt.time(host.first_seen)), fact('Last seen', fmt.time(host.last_seen))));
    replace(peers, simpleTable([
      {label: 'Peer', value: (r) => hostLink(r.ip, host.vlan)},
      {label: 'Traffic', num: true, value: (r) => fmt.bytes(r.bytes)},
      {label: 'Flows', num: true, value: (r) => fmt.count(r.flows)},
    ], data.top_peers ?? [], {empty: 'No peers recorded.'}));
    replace(apps, simpleTable([
      {label: 'Application', value: (r) => r.app},
      {label: 'Traffic', num: true, value: (r) => fmt.bytes(r.bytes)},
    ], data.applications ?? [], {empty: 'No applications recorded.'}));
    replace(health, tcpHealth(host.ip, data.recent_flows ?? []));
    replace(flows, simpleTable(flowColumns(), data.recent_flows ?? [], {empty: 'No recent flows.'}));
  });
}

// The host's side of the TCP health of its recent flows: what it sent and
// received, and the handshake round trip between the probe and this host
// (the client part when it was the client, the server part when it served).
export function tcpHealth(ip, recent) {
  const tcp = recent.filter((f) => f.tcp);
  if (!tcp.length) return h('p', {class: 'muted'}, 'No TCP flows among the recent flows.');
  const sum = {sent: 0, rcvd: 0, rtxSent: 0, rtxRcvd: 0, oooSent: 0, oooRcvd: 0, zwSent: 0, zwRcvd: 0};
  const rtts = [];
  for (const f of tcp) {
    const asClient = f.client_ip === ip;
    const [out, back] = asClient ? ['c2s', 's2c'] : ['s2c', 'c2s'];
    sum.sent += f[`${out}_packets`] ?? 0;
    sum.rcvd += f[`${back}_packets`] ?? 0;
    sum.rtxSent += f.tcp[`${out}_retransmissions`];
    sum.rtxRcvd += f.tcp[`${back}_retransmissions`];
    sum.oooSent += f.tcp[`${out}_out_of_order`];
    sum.oooRcvd += f.tcp[`${back}_out_of_order`];
    sum.zwSent += f.tcp[`${out}_zero_windows`];
    sum.zwRcvd += f.tcp[`${back}_zero_windows`];
    const rtt = asClient ? f.tcp.client_rtt : f.tcp.server_rtt;
    if (rtt !== null && rtt !== undefined) rtts.push(Number(rtt));
  }
  const share = (n, of) => (of ? `${fmt.count(n)} (${((100 * n) / of).toFixed(2)} % of ${fmt.count(of)} packets)` : fmt.count(n));
  rtts.sort((a, b) => a - b);
  const msOf = (s) => `${(s * 1000).toFixed(3)} ms`;
  const rttText = rtts.length
    ? `median ${msOf(rtts[Math.floor((rtts.length - 1) / 2)])}, max ${msOf(rtts[rtts.length - 1])} (${rtts.length} handshakes)`
    : 'no handshake seen';
  return h('dl', {class: 'facts'},
    fact('TCP flows', `${fmt.count(tcp.length)} of the ${fmt.count(recent.length)} recent flows`),
    fact('Retransmitted, sent', share(sum.rtxSent, sum.sent)),
    fact('Retransmitted, received', share(sum.rtxRcvd, sum.rcvd)),
    fact('Out of order (sent / received)', `${fmt.count(sum.oooSent)} / ${fmt.count(sum.oooRcvd)}`),
    fact('Zero windows (sent / received)', `${fmt.count(sum.zwSent)} / ${fmt.count(sum.zwRcvd)}`),
    fact('Round trip, probe to this host', rttText));
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value ?? '–')];
}
