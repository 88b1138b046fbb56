import * as api from '../api.js';
import {h, option, field} from '../dom.js';
import * as fmt from '../format.js';
import {pagedTable} from '../table.js';
import {badge, countryMark, hostLink, pageHeader, rangeSelect} from '../widgets.js';
import {detailsButton} from '../flow_details.js';

const protocols = {1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP'};

function port(p) {
  return p ? h('span', {class: 'port'}, `:${p}`) : '';
}

// TCP health and IP fields (issue 14). A part the API gives as null is
// unknown (a probe before issue 14, a non-TCP flow, no packet from that side
// in this record) and shows as '–', never as 0. Per direction: client to
// server / server to client.
function ms(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const v = Number(seconds) * 1000;
  return v.toFixed(v < 10 ? 2 : 1);
}

function pair(a, b) {
  return `${fmt.count(a)} / ${fmt.count(b)}`;
}

export function tcpHealth(r) {
  const t = r.tcp;
  if (!t) return null;
  const events = (t.c2s_retransmissions ?? 0) + (t.s2c_retransmissions ?? 0) + (t.c2s_out_of_order ?? 0) +
    (t.s2c_out_of_order ?? 0) + (t.c2s_zero_windows ?? 0) + (t.s2c_zero_windows ?? 0);
  return h('span', {class: events ? 'tcp-health tcp-events' : 'tcp-health'},
    h('span', {class: 'rtt', title: 'Handshake round trip at the probe: client part (SYN/ACK to ACK) + server part (SYN to SYN/ACK)'},
      t.client_rtt === null || t.client_rtt === undefined ? 'RTT –' : `RTT ${ms(t.client_rtt)} + ${ms(t.server_rtt)} ms`),
    h('br'),
    h('span', {title: 'Retransmitted segments, client to server / server to client'}, `retx ${pair(t.c2s_retransmissions, t.s2c_retransmissions)}`),
    ' · ',
    h('span', {title: 'Out-of-order segments, client to server / server to client'}, `ooo ${pair(t.c2s_out_of_order, t.s2c_out_of_order)}`),
    ' · ',
    h('span', {title: 'Zero-window advertisements, by the client / by the server'}, `zwin ${pair(t.c2s_zero_windows, t.s2c_zero_windows)}`));
}

function ttl(range) {
  if (!range) return '–';
  return range.min === range.max ? String(range.min) : `${range.min}–${range.max}`;
}

export function ipMarks(r) {
  if (!r.c2s_ttl && !r.s2c_ttl && (r.dscp === null || r.dscp === undefined)) return null;
  return h('span', {class: 'ip-marks'},
    h('span', {title: 'TTL / hop limit: from the client / from the server'}, `TTL ${ttl(r.c2s_ttl)} / ${ttl(r.s2c_ttl)}`),
    h('br'),
    h('span', {title: 'DSCP of the flow\'s first packet (RFC 2474)'}, `DSCP ${r.dscp ?? '–'}`));
}

// A tunnelled flow (issue 14): addresses and ports above are the inner
// packet's; the tunnel and its outer endpoints go under the protocol.
export function tunnelMark(t) {
  if (!t) return null;
  return h('span', {class: 'tunnel', title: `Tunnel ${t.type}, id ${t.id}: outer ${t.client_side_ip} (client side) ⇄ ${t.server_side_ip} (server side)`},
    `in ${t.type}${t.id ? ` ${t.id}` : ''}`);
}

function protocolCell(r) {
  const name = protocols[r.protocol] ?? String(r.protocol ?? '–');
  return r.tunnel ? [name, h('br'), tunnelMark(r.tunnel)] : name;
}

export function flowColumns(sortable = false) {
  const s = (key) => (sortable ? key : undefined);
  return [
    {label: '', value: detailsButton},
    {label: 'Client', value: (r) => [hostLink(r.client_ip, r.vlan), port(r.client_port), countryMark(r.client_country, r.client_asn)]},
    {label: 'Server', value: (r) => [hostLink(r.server_ip, r.vlan), port(r.server_port), countryMark(r.server_country, r.server_asn)]},
    {label: 'Proto', value: protocolCell},
    {label: 'Application', value: (r) => r.app || '–'},
    {label: 'Server name', value: (r) => h('span', {class: 'wrap server-name'}, r.server_name || '–')},
    {label: 'Bytes', num: true, sort: s('bytes'), value: (r) => fmt.bytes((r.c2s_bytes ?? 0) + (r.s2c_bytes ?? 0))},
    {label: 'Packets', num: true, sort: s('packets'), value: (r) => fmt.count((r.c2s_packets ?? 0) + (r.s2c_packets ?? 0))},
    {label: 'First seen', num: true, sort: s('first_seen'), value: (r) => fmt.time(r.first_seen)},
    {label: 'Last seen', num: true, sort: s('last_seen'), value: (r) => fmt.ago(r.last_seen)},
    {label: 'TCP health', value: tcpHealth},
    {label: 'TTL · DSCP', value: ipMarks},
    {label: 'Blacklist', value: (r) => (r.blacklisted ? [badge('blacklisted', 'bad'), ' ', [r.client_blacklist, r.server_blacklist].filter(Boolean).join(', ')] : '')},
  ];
}

export async function render(ctx) {
  const host = h('input', {id: 'flows-host', type: 'search', placeholder: 'IP address', maxlength: 64, value: ctx.query.get('host') ?? ''});
  const app = h('input', {id: 'flows-app', type: 'search', placeholder: 'e.g. TLS', maxlength: 64});
  const port = h('input', {id: 'flows-port', type: 'number', min: 0, max: 65535, placeholder: 'any'});
  // A TLS fingerprint (client JA3 or server JA3S); the flow details link here with one.
  const ja3 = h('input', {id: 'flows-ja3', type: 'search', placeholder: '32 hex digits', maxlength: 32, pattern: '[0-9A-Fa-f]{32}',
    title: 'A JA3 or JA3S fingerprint: 32 hexadecimal digits', value: ctx.query.get('ja3') ?? ''});
  const blacklisted = h('select', {id: 'flows-blacklisted'}, option('', 'All flows', ''), option('true', 'Blacklisted only', ''));
  const range = rangeSelect('flows-range', 'Live (last minutes)');
  const form = h('form', {class: 'filters'},
    field('Time', range.el), field('Host', host), field('Application', app), field('Port', port), field('JA3', ja3),
    field('Show', blacklisted),
    h('button', {type: 'submit'}, 'Filter'));
  const table = pagedTable({
    id: 'flows-table',
    sort: 'last_seen',
    columns: flowColumns(true),
    filters: () => ({host: host.value.trim(), vlan: ctx.query.get('vlan') ?? '', app: app.value.trim(),
      port: port.value, ja3: ja3.value.trim(), blacklisted: blacklisted.value, ...range.params()}),
    load: (params) => api.get('flows', params),
    empty: 'No flows match.',
  });
  range.el.addEventListener('change', () => { table.reset(); table.refresh().catch(ctx.fail); });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); table.reset(); table.refresh().catch(ctx.fail); });
  ctx.root.append(pageHeader('Flows'), form, table.el);
  await ctx.every(5000, table.refresh);
}
