// A flow's details (issue 14): every field the API gives for one flow, in
// one dialog opened from any flow table (flows, live flows, a host's
// flows). Built from the row already loaded: a stored record and an active
// flow have the same JSON shape, so nothing is fetched again. Every value
// becomes a text node (dom.js): server names and DNS queries are
// packet-derived.
import {h, replace} from './dom.js';
import * as fmt from './format.js';
import {hostLink} from './widgets.js';

const protocols = {1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP'};
const endReasons = {0: '–', 1: 'idle timeout', 2: 'active timeout (the flow goes on)', 3: 'TCP FIN', 4: 'TCP RST',
  5: 'evicted (flow table full)', 6: 'probe shutdown'};

function known(v) {
  return v !== null && v !== undefined;
}

function ms(seconds) {
  return known(seconds) ? `${(Number(seconds) * 1000).toFixed(3)} ms` : '–';
}

function ttl(range) {
  return range ? (range.min === range.max ? String(range.min) : `${range.min}–${range.max}`) : '–';
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
  const total = (r.c2s_bytes ?? 0) + (r.s2c_bytes ?? 0);
  return [
    section('Endpoints', [
      ['Client', [hostLink(r.client_ip, r.vlan), r.client_port ? `:${r.client_port}` : '']],
      ['Server', [hostLink(r.server_ip, r.vlan), r.server_port ? `:${r.server_port}` : '']],
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
      ['Application', r.app],
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
