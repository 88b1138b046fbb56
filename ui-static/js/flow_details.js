// A flow's details (issue 14): every field the API gives for one flow, in
// one dialog opened from any flow table (flows, live flows, a host's
// flows). Built from the row already loaded: a stored record and an active
// flow have the same JSON shape, so nothing is fetched again. Every value
// becomes a text node (dom.js): server names, DNS queries, certificate
// names, URLs and user agents are packet-derived.
import {h, replace, route} from './dom.js';
import * as fmt from './format.js';
import {badge, hostLink} from './widgets.js';

const protocols = {1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP'};
const endReasons = {0: '–', 1: 'idle timeout', 2: 'active timeout (the flow goes on)', 3: 'TCP FIN', 4: 'TCP RST',
  5: 'evicted (flow table full)', 6: 'probe shutdown'};

// "GB, AS20712"; "unknown" when neither is (private addresses, no database).
function geoText(country, asn) {
  const parts = [country, asn ? `AS${asn}` : null].filter(Boolean);
  return parts.length ? parts.join(', ') : 'unknown';
}

function known(v) {
  return v !== null && v !== undefined;
}

function ms(seconds) {
  return known(seconds) ? `${(Number(seconds) * 1000).toFixed(3)} ms` : '–';
}

function ttl(range) {
  return range ? (range.min === range.max ? String(range.min) : `${range.min}–${range.max}`) : '–';
}

// How nDPI reached the application (the API's dpi_confidence).
const confidences = {dpi: 'payload inspection', dpi_cache: 'nDPI cache of earlier flows', match_by_port: 'guessed from the port',
  match_by_ip: 'guessed from the address'};

function confidence(c) {
  if (!c) return null;
  const text = confidences[c] ?? c;
  return c === 'dpi' ? text : h('span', {class: 'muted', title: 'Not read from this flow\'s payload'}, text);
}

// A JA3 or JA3S digest, with a link to the flows that share it.
function fingerprint(hex) {
  if (!hex) return '–';
  return [h('code', {class: 'wrap'}, hex), ' ', h('a', {href: route('flows', {ja3: hex}), title: 'Stored flows with this fingerprint'}, 'flows')];
}

// The certificate against the flow's first packet (its handshake): 'expired',
// 'not yet valid', or null when valid then or its validity is unknown.
export function certificateProblem(cert, flowTime) {
  const t = Number(flowTime);
  if (!cert || !known(flowTime) || Number.isNaN(t)) return null;
  if (known(cert.not_after) && t > cert.not_after) return 'expired';
  if (known(cert.not_before) && t < cert.not_before) return 'not yet valid';
  return null;
}

function validity(cert, flowTime) {
  if (!known(cert.not_before) && !known(cert.not_after)) return null;
  const problem = certificateProblem(cert, flowTime);
  return [`${fmt.time(cert.not_before)} – ${fmt.time(cert.not_after)}`, problem ? [' ', badge(problem, 'bad')] : null];
}

function section(title, rows) {
  const shown = rows.filter(Boolean);
  if (!shown.length) return null;
  return h('section', {class: 'flow-section'},
    h('h3', {}, title),
    h('dl', {class: 'facts'}, shown.map(([label, value]) => [h('dt', {}, label), h('dd', {}, known(value) && value !== '' ? value : '–')])));
}

export function flowDetails(r) {
  const t = r.tcp;
  const d = r.dns;
  const tun = r.tunnel;
  const tls = r.tls;
  const cert = tls?.certificate;
  const http = r.http;
  const total = (r.c2s_bytes ?? 0) + (r.s2c_bytes ?? 0);
  return [
    section('Endpoints', [
      ['Client', [hostLink(r.client_ip, r.vlan), r.client_port ? `:${r.client_port}` : '']],
      ['Server', [hostLink(r.server_ip, r.vlan), r.server_port ? `:${r.server_port}` : '']],
      ['Client country / AS', h('span', {class: 'geo-client'}, geoText(r.client_country, r.client_asn))],
      ['Server country / AS', h('span', {class: 'geo-server'}, geoText(r.server_country, r.server_asn))],
      ['Protocol', `${protocols[r.protocol] ?? ''} (${r.protocol})`],
      ['VLAN', String(r.vlan ?? 0)],
    ]),
    tun && section('Tunnel', [
      ['Type', tun.type],
      ['Id', String(tun.id)],
      ['Outer address, client side', tun.client_side_ip],
      ['Outer address, server side', tun.server_side_ip],
    ]),
    section('Traffic', [
      ['Client → server', `${fmt.count(r.c2s_packets)} packets, ${fmt.bytes(r.c2s_bytes)}`],
      ['Server → client', `${fmt.count(r.s2c_packets)} packets, ${fmt.bytes(r.s2c_bytes)}`],
      ['Total', `${fmt.bytes(total)} (${r.state === 'active' ? 'rate between the last two reports' : 'average'} ${fmt.bps((r.throughput_bps ?? 0))})`],
      ['First seen', fmt.time(r.first_seen)],
      ['Last seen', fmt.time(r.last_seen)],
      ['State', r.state === 'active' ? 'active (interim report)' : `ended: ${endReasons[r.end_reason] ?? r.end_reason}`],
      ['Probe', r.probe_id],
      ['Flow id', r.flow_id],
    ]),
    section('Application', [
      ['Application', r.app ? [r.app, r.dpi_confidence ? [' (', confidence(r.dpi_confidence), ')'] : ''] : null],
      ['Category', r.category],
      ['Server name', h('span', {class: 'wrap server-name'}, r.server_name || '–')],
      ['nDPI risk bitmap', r.flow_risk],
    ]),
    d && section('DNS', [
      ['Query', h('span', {class: 'wrap server-name'}, d.query || '–')],
      ['Type', `${d.query_type_name} (${d.query_type})`],
      ['Response', `${d.reply_code_name} (${d.reply_code})`],
      ['First answer', d.answer],
    ]),
    tls && section('TLS', [
      ['Version', tls.version && !tls.version.startsWith('0x') ? `${tls.version} (0x${Number(tls.version_code).toString(16).padStart(4, '0')})` : tls.version],
      ['JA3 (client)', fingerprint(tls.ja3_client)],
      ['JA3S (server)', fingerprint(tls.ja3_server)],
      ['ALPN offered', tls.alpn],
      cert && ['Certificate subject', h('span', {class: 'wrap cert-subject'}, cert.subject ?? '–')],
      cert && ['Certificate issuer', h('span', {class: 'wrap cert-issuer'}, cert.issuer ?? '–')],
      cert && ['Valid', validity(cert, r.first_seen)],
      cert && ['SHA-1', cert.sha1 ? h('code', {class: 'wrap'}, cert.sha1) : null],
    ]),
    http && section('HTTP', [
      ['Method', http.method],
      ['URL', h('span', {class: 'wrap http-url'}, http.url ?? '–')],
      ['User agent', h('span', {class: 'wrap http-user-agent'}, http.user_agent ?? '–')],
      ['Status', known(http.response_code) ? String(http.response_code) : 'no response seen'],
    ]),
    t && section('TCP health', [
      ['Handshake RTT, client part', ms(t.client_rtt)],
      ['Handshake RTT, server part', ms(t.server_rtt)],
      ['Retransmissions (c→s / s→c)', `${fmt.count(t.c2s_retransmissions)} / ${fmt.count(t.s2c_retransmissions)}`],
      ['Out of order (c→s / s→c)', `${fmt.count(t.c2s_out_of_order)} / ${fmt.count(t.s2c_out_of_order)}`],
      ['Zero windows (c→s / s→c)', `${fmt.count(t.c2s_zero_windows)} / ${fmt.count(t.s2c_zero_windows)}`],
    ]),
    section('IP', [
      ['TTL from the client', ttl(r.c2s_ttl)],
      ['TTL from the server', ttl(r.s2c_ttl)],
      ['DSCP', known(r.dscp) ? String(r.dscp) : '–'],
    ]),
    (r.client_blacklist || r.server_blacklist) && section('Blacklists', [
      r.client_blacklist && ['Client listed by', r.client_blacklist],
      r.server_blacklist && ['Server listed by', r.server_blacklist],
    ]),
  ];
}

let dialog = null;

function theDialog() {
  if (dialog && dialog.isConnected) return dialog;
  const body = h('div', {class: 'flow-details-body'});
  const close = h('button', {type: 'button', class: 'close', 'aria-label': 'Close'}, '×');
  dialog = h('dialog', {id: 'flow-details', 'aria-labelledby': 'flow-details-title'},
    h('header', {}, h('h2', {id: 'flow-details-title'}, 'Flow'), close), body);
  close.addEventListener('click', () => dialog.close());
  // A click on the backdrop (outside the box) closes it too.
  dialog.addEventListener('click', (ev) => { if (ev.target === dialog) dialog.close(); });
  document.body.append(dialog);
  return dialog;
}

export function openFlowDetails(r) {
  const d = theDialog();
  replace(d.querySelector('#flow-details-title'), `Flow ${r.client_ip} → ${r.server_ip}`);
  replace(d.querySelector('.flow-details-body'), flowDetails(r));
  if (!d.open) d.showModal();
}

export function detailsButton(r) {
  return h('button', {type: 'button', class: 'flow-open', title: 'Every field of this flow', 'aria-label': 'Flow details',
    onclick: () => openFlowDetails(r)}, '⋯');
}
