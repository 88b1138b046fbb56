// Small pieces shared by pages: links to hosts, badges, cards, the chart.
import {h, route} from './dom.js';
import * as fmt from './format.js';

export function hostLink(ip, vlan, label) {
  if (ip === undefined || ip === null || ip === '') return '–';
  return h('a', {class: 'host-link', href: route('hosts', ip, vlan ? {vlan} : {})}, label ?? fmt.hostLabel({ip, vlan}));
}

// A country code beside an address ("DE"); nothing when unknown. The code
// comes from a database file: text only (dom.js), like everything else.
export function countryMark(country, asn) {
  if (!country && !asn) return null;
  return h('span', {class: 'geo-mark', title: asn ? `AS${asn}` : undefined}, country || `AS${asn}`);
}

// "AS3320 Deutsche Telekom AG", "AS3320", or "–". as_name is database text.
export function asText(asn, asName) {
  if (!asn) return '–';
  return asName ? `AS${asn} ${asName}` : `AS${asn}`;
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

// A time range picker: {from, to} in unix seconds, or nothing for `liveLabel`.
export function rangeSelect(id, liveLabel) {
  const el = h('select', {id, 'aria-label': 'Time range'},
    h('option', {value: ''}, liveLabel),
    h('option', {value: '3600'}, 'Last hour'),
    h('option', {value: '86400'}, 'Last 24 hours'),
    h('option', {value: '604800'}, 'Last 7 days'),
    h('option', {value: '2592000'}, 'Last 30 days'));
  return {
    el,
    params() {
      if (!el.value) return {};
      const now = Math.floor(Date.now() / 1000);
      return {from: now - Number(el.value), to: now + 60};
    },
  };
}

export function pageHeader(title, ...actions) {
  return h('div', {class: 'page-header'}, h('h1', {}, title), h('div', {class: 'actions'}, actions));
}

// A throughput chart: x in seconds, one or more series of bytes per second
// drawn as bits per second. Resizes with its container. uPlot comes from
// npm; deploy/build-ui.sh copies its dist files into ui-static/vendor/.
export function throughputChart(container, seriesLabels) {
  return seriesChart(container, seriesLabels, {format: fmt.bps});
}

const colours = ['#2563eb', '#16a34a', '#dc2626', '#9333ea'];

// A time series chart: format(v) labels the y axis and the legend; range
// {from, to} (unix seconds), when given, fixes the x axis to the window
// asked for, so a sparse series is not stretched over the whole width.
export async function seriesChart(container, seriesLabels, {format = fmt.count, height = 240, range} = {}) {
  // Loaded on demand so that a missing vendor/ folder costs the chart only.
  const {default: uPlot} = await import('../vendor/uPlot.esm.js');
  const width = () => Math.max(280, container.clientWidth - 8);
  let fixed = range ?? null;
  const opts = {
    width: width(),
    height,
    // uPlot widens a lone sample's time axis by 86400/ms units, years in
    // seconds mode: show the last five minutes instead.
    scales: {x: {time: true, range: (u, min, max) => {
      if (fixed) return [fixed.from, fixed.to];
      const xs = u.data[0] ?? [];
      if (xs.length > 1) return [min, max];
      const x = xs.length ? xs[0] : Date.now() / 1000;
      return [x - 300, x + 5];
    }}},
    axes: [{}, {values: (u, ticks) => ticks.map((t) => format(t)), size: 96}],
    series: [{}, ...seriesLabels.map((label, i) => ({
      label,
      stroke: colours[i % colours.length],
      width: 2,
      value: (u, v) => (v === null || v === undefined ? '–' : format(v)),
    }))],
  };
  const plot = new uPlot(opts, [[], ...seriesLabels.map(() => [])], container);
  const ro = new ResizeObserver(() => plot.setSize({width: width(), height}));
  ro.observe(container);
  return {
    set(data, newRange) {
      if (newRange !== undefined) fixed = newRange;
      plot.setData(data);
    },
    destroy() { ro.disconnect(); plot.destroy(); },
  };
}
