// Small pieces shared by pages: links to hosts, badges, cards, the chart.
import {h, route} from './dom.js';
import * as fmt from './format.js';

export function hostLink(ip, vlan, label) {
  if (ip === undefined || ip === null || ip === '') return '–';
  return h('a', {class: 'host-link', href: route('hosts', ip, vlan ? {vlan} : {})}, label ?? fmt.hostLabel({ip, vlan}));
}

export function badge(text, kind) {
  return h('span', {class: `badge badge-${kind}`}, text);
}

export function severityBadge(s) {
  return badge(s ?? '–', `sev-${['info', 'notice', 'warning', 'error', 'critical'].includes(s) ? s : 'info'}`);
}

export function card(label, value, id) {
  return h('div', {class: 'card stat', id},
    h('div', {class: 'stat-label'}, label),
    h('div', {class: 'stat-value'}, value));
}

export function pageHeader(title, ...actions) {
  return h('div', {class: 'page-header'}, h('h1', {}, title), h('div', {class: 'actions'}, actions));
}

// A throughput chart: x in seconds, one or more series of bytes per second
// drawn as bits per second. Resizes with its container. uPlot comes from
// npm; deploy/build-ui.sh copies its dist files into ui-static/vendor/.
export async function throughputChart(container, seriesLabels) {
  // Loaded on demand so that a missing vendor/ folder costs the chart only.
  const {default: uPlot} = await import('../vendor/uPlot.esm.js');
  const width = () => Math.max(280, container.clientWidth - 8);
  const opts = {
    width: width(),
    height: 240,
    // A lone first sample would make uPlot stretch the axis over years.
    scales: {x: {time: true, range: (u, min, max) => (max - min < 60 ? [max - 300, max + 5] : [min, max])}},
    axes: [{}, {values: (u, ticks) => ticks.map((t) => fmt.bps(t)), size: 96}],
    series: [{}, ...seriesLabels.map((label, i) => ({
      label,
      stroke: ['#2563eb', '#16a34a', '#dc2626', '#9333ea'][i % 4],
      width: 2,
      value: (u, v) => fmt.bps(v),
    }))],
  };
  const plot = new uPlot(opts, [[], ...seriesLabels.map(() => [])], container);
  const ro = new ResizeObserver(() => plot.setSize({width: width(), height: 240}));
  ro.observe(container);
  return {
    set(data) { plot.setData(data); },
    destroy() { ro.disconnect(); plot.destroy(); },
  };
}
