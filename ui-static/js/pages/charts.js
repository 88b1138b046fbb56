// Charts of every stored time series: pick a scope (global, host, pool,
// application, probe, interface), the series' id and a range. Long ranges
// ask the API for hourly buckets (js/series.js), which the collector reads
// from its hourly roll-ups. The choice lives in the hash (#/charts?scope=
// host&id=192.168.1.10@0&range=86400), so a chart can be linked to.
import * as api from '../api.js';
import {h, replace, option, field, route} from '../dom.js';
import * as fmt from '../format.js';
import {pageHeader, seriesChart} from '../widgets.js';
import * as series from '../series.js';

const formats = {bits: fmt.bps, rate: (v) => `${fmt.count(Math.round(v * 100) / 100)}/s`, count: fmt.count};

export async function render(ctx) {
  const q = ctx.query;
  const scope = h('select', {id: 'chart-scope', 'aria-label': 'Series'},
    Object.entries(series.scopes).map(([k, s]) => option(k, s.label, q.get('scope') ?? 'global')));
  const ids = h('datalist', {id: 'chart-ids'});
  const id = h('input', {id: 'chart-id', list: 'chart-ids', maxlength: 128, autocomplete: 'off', value: q.get('id') ?? ''});
  const idField = field('Which', id);
  const range = h('select', {id: 'chart-range', 'aria-label': 'Time range'},
    series.ranges.map((r) => option(r.value, r.label, q.get('range') ?? String(series.hour))));
  const from = h('input', {id: 'chart-from', type: 'datetime-local', 'aria-label': 'From'});
  const to = h('input', {id: 'chart-to', type: 'datetime-local', 'aria-label': 'To'});
  const custom = h('span', {class: 'custom-range', id: 'chart-custom', hidden: true}, field('From', from), field('To', to));
  const form = h('form', {class: 'filters', id: 'chart-form'},
    field('Series', scope), idField, ids, field('Range', range), custom, h('button', {type: 'submit'}, 'Show'));
  const info = h('p', {class: 'muted', id: 'chart-info'});
  const grid = h('div', {id: 'chart-grid'});
  ctx.root.append(pageHeader('Charts'), form, info, grid);

  // A custom range starts as the last 24 hours, in the browser's local time.
  const local = (s) => {
    const d = new Date(s * 1000);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  };
  const nowS = () => Math.floor(Date.now() / 1000);
  from.value = q.get('from') ? local(Number(q.get('from'))) : local(nowS() - series.day);
  to.value = q.get('to') ? local(Number(q.get('to'))) : local(nowS());

  // The drawn charts: rebuilt when the scope changes, else only fed new data.
  let drawn = {key: '', list: []};
  const dropCharts = () => { for (const c of drawn.list) c.chart?.destroy(); drawn = {key: '', list: []}; };
  ctx.onLeave(dropCharts);

  async function fillIds() {
    const s = scope.value;
    idField.hidden = s === 'global';
    id.placeholder = series.scopes[s].id ?? '';
    let opts = [];
    try {
      if (s === 'pool') opts = api.items(await api.get('pools')).map((p) => [String(p.id), p.name]);
      else if (s === 'probe') opts = api.items(await api.get('probes')).map((p) => [p.probe_id, '']);
      else if (s === 'interface') {
        opts = api.items(await api.get('probes')).flatMap((p) => (p.ports ?? []).map((x) => [`${p.probe_id}/${x.port_id}`, x.name ?? '']));
      } else if (s === 'app') opts = api.items(await api.get('applications', {limit: 100, window_s: 86400})).map((a) => [a.app, '']);
      else if (s === 'host') {
        opts = api.items(await api.get('hosts', {local: true, sort: 'throughput', order: 'desc', limit: 50}))
          .map((x) => [`${x.ip}@${x.vlan ?? 0}`, x.name ?? '']);
      }
    } catch (e) {
      ctx.fail(e);
    }
    if (!ctx.alive()) return;
    replace(ids, opts.map(([v, label]) => h('option', {value: v, label: label || undefined})));
    if (s !== 'global' && !id.value && opts.length) id.value = opts[0][0];
  }

  function currentWindow() {
    custom.hidden = range.value !== 'custom';
    const parse = (el) => Math.floor(new Date(el.value).getTime() / 1000);
    return series.rangeWindow(range.value, nowS(), {from: parse(from), to: parse(to)});
  }

  let latest = 0;   // a newer draw (scope, id or range changed) wins
  async function draw() {
    const mine = ++latest;
    const s = scope.value;
    const w = currentWindow();
    if (!w) { info.textContent = 'Choose a start before the end.'; return; }
    const which = s === 'global' ? '' : id.value.trim();
    history.replaceState(null, '', route('charts', {scope: s, id: which, range: range.value,
      from: range.value === 'custom' ? w.from : '', to: range.value === 'custom' ? w.to : ''}));
    info.textContent = `${fmt.time(w.from)} – ${fmt.time(w.to)}, one point per ${w.step >= 3600 ? `${w.step / 3600} h (hourly roll-ups)` : `${w.step / 60} min`}`;
    if (s !== 'global' && !which) {
      dropCharts();
      replace(grid, h('p', {class: 'muted'}, `Choose a ${series.scopes[s].label.toLowerCase()} (${series.scopes[s].id}).`));
      return;
    }
    const groups = series.scopes[s].charts;
    const answers = await Promise.all(groups.map((g) => Promise.all(g.metrics.map(([metric]) =>
      api.get('timeseries', {metric, scope: s, id: which, from: w.from, to: w.to, step: w.step})))));
    if (!ctx.alive() || mine !== latest) return;
    if (drawn.key !== s) {
      dropCharts();
      const list = groups.map((g, i) => ({box: h('div', {class: 'chart', id: `chart-${s}-${i}`, dataset: {metric: g.metrics[0][0]}})}));
      replace(grid, h('div', {class: 'chart-grid'},
        groups.map((g, i) => h('div', {class: 'card chart-card'}, h('h2', {}, g.title), list[i].box))));
      for (const [i, g] of groups.entries()) {
        list[i].chart = await seriesChart(list[i].box, g.metrics.map(([, label]) => label),
          {format: formats[g.unit], range: w, height: 200});
      }
      if (!ctx.alive() || mine !== latest) { for (const c of list) c.chart.destroy(); return; }
      drawn = {key: s, list};
    }
    for (const [i, g] of groups.entries()) {
      const data = series.align(answers[i].map((a) => api.items(a)), g.unit, w.step);
      drawn.list[i].chart.set(data, {from: w.from, to: w.to});
      drawn.list[i].box.dataset.points = String(data[0].length);
    }
  }

  const redraw = () => draw().catch(ctx.fail);
  scope.addEventListener('change', async () => { id.value = ''; await fillIds(); redraw(); });
  range.addEventListener('change', redraw);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); redraw(); });
  await fillIds();
  // Ranges ending now move with the clock; a new minute is written every 60 s.
  await ctx.every(60000, async () => { if (range.value !== 'custom' || !drawn.list.length) await draw(); });
}
