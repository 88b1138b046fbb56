import * as api from '../api.js';
import {h, replace, route} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {card, hostLink, pageHeader, throughputChart} from '../widgets.js';

const livePoints = 200;   // about ten minutes at one sample every 3 s
const step = 60;          // the time series store's resolution

export async function render(ctx) {
  const stats = h('div', {class: 'stats', id: 'dashboard-stats'});
  const chartBox = h('div', {class: 'chart', id: 'throughput-chart'});
  const topHosts = h('div', {id: 'top-hosts'});
  const topApps = h('div', {id: 'top-apps'});
  ctx.root.append(
    pageHeader('Dashboard'),
    stats,
    h('div', {class: 'card'}, h('h2', {}, 'Throughput'), chartBox),
    h('div', {class: 'grid2'},
      h('div', {class: 'card'}, h('h2', {}, 'Top hosts'), topHosts),
      h('div', {class: 'card'}, h('h2', {}, 'Top applications'), topApps)));

  let chart = null;
  try {
    chart = await throughputChart(chartBox, ['Throughput']);
    ctx.onLeave(() => chart.destroy());
  } catch (e) {
    replace(chartBox, h('p', {class: 'muted'}, 'Chart unavailable: ', e.message));
  }
  const xs = [];
  const ys = [];
  await seedHistory(xs, ys);

  let apps = [];
  let appsAt = 0;
  await ctx.every(3000, async () => {
    const [status, hosts] = await Promise.all([
      api.get('status'),
      api.get('hosts', {local: true, sort: 'throughput', order: 'desc', limit: 10}),
    ]);
    if (Date.now() - appsAt > 15000) {
      apps = await topApplications(api.items(hosts));
      appsAt = Date.now();
    }
    if (!ctx.alive()) return;
    const rate = throughputOf(status, hosts);
    xs.push(Date.now() / 1000);
    ys.push(rate);
    while (xs.length > livePoints) { xs.shift(); ys.shift(); }
    if (chart) chart.set([xs.slice(), ys.slice()]);

    replace(stats,
      card('Throughput', fmt.bps(rate), 'stat-throughput'),
      h('a', {class: 'card-link', href: route('hosts')}, card('Hosts', fmt.count(status.hosts), 'stat-hosts')),
      h('a', {class: 'card-link', href: route('probes')}, card('Probes up', `${fmt.count(status.probes_up)} / ${fmt.count(status.probes)}`, 'stat-probes')),
      h('a', {class: 'card-link', href: route('alerts')},
        card(status.alerts_enabled === false ? 'Engaged alerts (alerts off)' : 'Engaged alerts', fmt.count(status.alerts_engaged ?? 0), 'stat-alerts')));

    replace(topHosts, simpleTable([
      {label: 'Host', value: (r) => hostLink(r.ip, r.vlan)},
      {label: 'Name', value: (r) => h('span', {class: 'wrap'}, r.name || '–')},
      {label: 'Throughput', num: true, value: (r) => fmt.bps(r.throughput_bps)},
      {label: 'Traffic', num: true, value: (r) => fmt.bytes((r.bytes_sent ?? 0) + (r.bytes_rcvd ?? 0))},
    ], api.items(hosts), {empty: 'No hosts seen yet.'}));

    replace(topApps, simpleTable([
      {label: 'Application', value: (r) => r.app},
      {label: 'Traffic', num: true, value: (r) => fmt.bytes(r.bytes)},
    ], apps.slice(0, 10), {empty: 'No applications seen yet.'}));
  });
}

// The server's figure when it gives one, else the sum over the busiest local
// hosts (an estimate: traffic between two local hosts counts twice).
function throughputOf(status, hosts) {
  if (typeof status.throughput_bps === 'number') return status.throughput_bps;
  return api.items(hosts).reduce((acc, r) => acc + (Number(r.throughput_bps) || 0), 0);
}

// The last hour from the time series store: bytes per minute as bits/s,
// each minute drawn at its end, only minutes already over (the current one
// is still being counted).
async function seedHistory(xs, ys) {
  try {
    const ts = await api.get('timeseries', {metric: 'bytes', scope: 'global', step});
    const now = Date.now() / 1000;
    for (const p of api.items(ts)) {
      if (typeof p.ts !== 'number' || typeof p.value !== 'number' || p.ts + step > now) continue;
      xs.push(p.ts + step);
      ys.push((p.value * 8) / step);
    }
  } catch {
    // no history yet: the live samples fill the chart
  }
}

// GET /applications when the collector has it, else the application
// breakdown of the busiest local hosts added up.
async function topApplications(hosts) {
  try {
    const list = await api.request('GET', 'applications?limit=10', undefined, {quiet: true});
    return api.items(list);
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  const details = await Promise.all(hosts.slice(0, 5).map((x) =>
    api.get(`hosts/${encodeURIComponent(x.ip)}`, x.vlan ? {vlan: x.vlan} : undefined).catch(() => null)));
  const sum = new Map();
  for (const d of details) {
    for (const a of d?.applications ?? []) sum.set(a.app, (sum.get(a.app) ?? 0) + (Number(a.bytes) || 0));
  }
  return [...sum].map(([app, bytes]) => ({app, bytes})).sort((a, b) => b.bytes - a.bytes);
}
