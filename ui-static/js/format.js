// Number and time formatting. Inputs come from JSON and may be missing.

const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function bytes(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '–';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return (i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
}

// Rates are bits per second (the API's throughput_bps), as network people read them.
export function bps(bitsPerSecond) {
  if (bitsPerSecond === undefined || bitsPerSecond === null) return '–';
  let v = Number(bitsPerSecond);
  const u = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let i = 0;
  while (Math.abs(v) >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return (i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + u[i];
}

export function count(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '–';
  return Number(n).toLocaleString('en-US');
}

// Accepts ISO-8601 text or a number of seconds, milliseconds or nanoseconds
// since the epoch (the magnitude tells which).
export function toDate(t) {
  if (t === undefined || t === null || t === '' || t === 0) return null;
  if (typeof t === 'number') {
    if (t > 1e17) return new Date(t / 1e6);
    if (t > 1e11) return new Date(t);
    return new Date(t * 1000);
  }
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function time(t) {
  const d = toDate(t);
  if (!d) return '–';
  const pad = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function ago(t) {
  const d = toDate(t);
  if (!d) return '–';
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 0) return time(t);
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return time(t);
}

export function hostLabel(host) {
  const ip = host.ip ?? '';
  return host.vlan ? `${ip} @${host.vlan}` : ip;
}
