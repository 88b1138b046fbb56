import * as api from '../api.js';
import {h, replace} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {badge, pageHeader} from '../widgets.js';

export async function render(ctx) {
  const reload = h('button', {type: 'button', class: 'primary admin-only', id: 'blacklists-reload'}, 'Reload all');
  const status = h('span', {class: 'muted', id: 'blacklists-status', role: 'status'});
  const list = h('div', {id: 'blacklist-list'});
  const nft = h('p', {id: 'blacklist-nft', class: 'wrap'});
  ctx.root.append(pageHeader('Blacklists', status, reload), nft, list);

  reload.addEventListener('click', async () => {
    reload.disabled = true;
    try {
      await api.post('blacklists/reload', {});
      status.textContent = 'Reload started.';
      setTimeout(() => refresh().catch(ctx.fail), 1500);
    } catch (e) {
      ctx.fail(e);
    } finally {
      reload.disabled = false;
    }
  });

  async function refresh() {
    const answer = await api.get('blacklists');
    const sources = api.items(answer);
    if (!ctx.alive()) return;
    // The nftables export runs after each reload; its last failure, if any.
    replace(nft, answer?.nft_error ? [badge('nftables', 'bad'), ' ', answer.nft_error] : '');
    replace(list, simpleTable([
      {label: 'Source', value: (s) => s.name},
      {label: 'Enabled', value: (s) => h('input', {type: 'checkbox', class: 'blacklist-enabled', checked: Boolean(s.enabled), disabled: api.isViewer(), 'aria-label': `Enable ${s.name}`,
        onchange: async (ev) => {
          try { await api.put(`blacklists/${encodeURIComponent(s.name)}`, {enabled: ev.target.checked}); status.textContent = 'Applied at the next reload.'; } catch (e) { ev.target.checked = !ev.target.checked; ctx.fail(e); }
        }})},
      {label: 'Category', value: (s) => s.category || '–'},
      {label: 'Format', value: (s) => s.format || '–'},
      {label: 'Location', value: (s) => h('span', {class: 'wrap'}, s.location || '–')},
      {label: 'Entries', num: true, value: (s) => fmt.count(s.entries)},
      {label: 'Hits', num: true, value: (s) => fmt.count(s.hits)},
      {label: 'Loaded', num: true, value: (s) => fmt.ago(s.last_load)},
      {label: 'State', value: (s) => (s.last_error ? h('span', {}, badge('failed', 'bad'), ' ', s.last_error)
        : !s.enabled ? badge('off', 'muted') : s.last_load ? badge('loaded', 'ok') : badge('pending', 'muted'))},
    ], sources, {empty: 'No blacklist sources configured.'}));
  }
  await ctx.every(10000, refresh);
}
