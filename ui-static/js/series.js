// What the time series store holds and how a chart asks for it. Pure (no
// DOM): the node tests load it directly (tests/browser/ui_modules.test.mjs).
//
// The collector writes one sample per minute (collector/app/minute_persister)
// and moves minutes older than --timeseries-rollup-days (7) into hourly rows;
// GET /api/v1/timeseries sums both tables into buckets of `step` seconds. A
// long range therefore asks for step=3600: one point per hour, read from the
// hourly roll-ups where they exist, and never more than a few hundred points.

export const hour = 3600;
export const day = 24 * hour;

// The range picker's fixed choices (seconds back from now).
export const ranges = [
  {value: String(hour), label: 'Last hour'},
  {value: String(6 * hour), label: 'Last 6 hours'},
  {value: String(day), label: 'Last 24 hours'},
  {value: String(7 * day), label: 'Last 7 days'},
  {value: 'custom', label: 'Custom…'},
];

const maxPoints = 2000;   // the API refuses more than 10 000; a chart needs far fewer

// The bucket for a span: minutes up to 6 h, 5 minutes up to a day, hours
// beyond (the roll-ups), widened by whole hours if a custom range would
// still give too many points.
export function stepFor(spanS) {
  if (spanS <= 6 * hour) return 60;
  if (spanS <= day) return 300;
  return Math.max(1, Math.ceil(spanS / hour / maxPoints)) * hour;
}

// {from, to, step} for the picker's value; `custom` takes from/to in unix
// seconds. Buckets start on a multiple of step (the API floors ts to one),
// so `from` is floored to the step; null when the range is not usable.
export function rangeWindow(value, nowS, custom = {}) {
  let from;
  let to;
  if (value === 'custom') {
    from = Number(custom.from);
    to = Number(custom.to);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return null;
  } else {
    const span = Number(value);
    if (!Number.isFinite(span) || span <= 0) return null;
    to = Math.floor(nowS);
    from = to - span;
  }
  const step = stepFor(to - from);
  return {from: Math.floor(from / step) * step, to: Math.floor(to), step};
}

// Every series the collector stores, by scope: a chart draws one group
// (one or two metrics with one unit). `id` says what identifies one series.
export const scopes = {
  global: {label: 'Global', id: null, charts: [
    {title: 'Traffic', unit: 'bits', metrics: [['bytes', 'Throughput']]},
    {title: 'Packets', unit: 'rate', metrics: [['packets', 'Packets/s']]},
    {title: 'Flows', unit: 'rate', metrics: [['flows', 'Flows/s']]},
    {title: 'Active hosts', unit: 'count', metrics: [['hosts', 'Hosts']]},
  ]},
  host: {label: 'Host', id: 'IP@VLAN (local hosts)', charts: [
    {title: 'Traffic', unit: 'bits', metrics: [['bytes_sent', 'Sent'], ['bytes_rcvd', 'Received']]},
    {title: 'Packets', unit: 'rate', metrics: [['packets_sent', 'Sent'], ['packets_rcvd', 'Received']]},
    {title: 'Flows', unit: 'rate', metrics: [['flows', 'Flows/s']]},
  ]},
  pool: {label: 'Host pool', id: 'pool id', charts: [
    {title: 'Traffic', unit: 'bits', metrics: [['bytes_sent', 'Sent'], ['bytes_rcvd', 'Received']]},
    {title: 'Packets', unit: 'rate', metrics: [['packets_sent', 'Sent'], ['packets_rcvd', 'Received']]},
    {title: 'Flows', unit: 'rate', metrics: [['flows', 'Flows/s']]},
  ]},
  app: {label: 'Application', id: 'application name', charts: [
    {title: 'Traffic', unit: 'bits', metrics: [['bytes', 'Throughput']]},
    {title: 'Packets', unit: 'rate', metrics: [['packets', 'Packets/s']]},
    {title: 'Flows', unit: 'rate', metrics: [['flows', 'Flows/s']]},
  ]},
  probe: {label: 'Probe', id: 'probe id', charts: [
    {title: 'Traffic', unit: 'bits', metrics: [['bytes', 'Captured']]},
    {title: 'Packets', unit: 'rate', metrics: [['packets', 'Packets/s']]},
    {title: 'Flows', unit: 'rate', metrics: [['flows', 'New flows/s']]},
    {title: 'Drops', unit: 'rate', metrics: [['drops', 'Drops/s']]},
  ]},
  interface: {label: 'Interface', id: 'probe/port', charts: [
    {title: 'Traffic', unit: 'bits', metrics: [['bytes', 'Received']]},
    {title: 'Packets', unit: 'rate', metrics: [['packets', 'Packets/s']]},
    {title: 'Drops', unit: 'rate', metrics: [['drops', 'Drops/s']]},
  ]},
};

// A stored value is a per-minute figure summed into the bucket (counts) or
// averaged (gauges such as hosts): rates divide by the bucket's length.
export function toUnit(unit, value, step) {
  if (unit === 'bits') return (value * 8) / step;
  if (unit === 'rate') return value / step;
  return value;
}

// Aligns the answers of several metrics on one x axis (their union of
// bucket starts), missing buckets as null (a gap, not a zero: the collector
// may have been down). answers: [[{ts, value}...], ...] -> [xs, ys1, ys2...].
export function align(answers, unit, step) {
  const xs = [...new Set(answers.flatMap((a) => a.map((p) => p.ts)))].filter((t) => typeof t === 'number').sort((a, b) => a - b);
  const ys = answers.map((a) => {
    const byTs = new Map(a.map((p) => [p.ts, p.value]));
    return xs.map((t) => (typeof byTs.get(t) === 'number' ? toUnit(unit, byTs.get(t), step) : null));
  });
  return [xs, ...ys];
}
