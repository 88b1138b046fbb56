import * as api from '../api.js';
import {h, replace, route, option, field} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {pageHeader} from '../widgets.js';

export async function render(ctx) {
  const tab = ctx.query.get('tab') === 'unassigned' ? 'unassigned' : 'pools';
  const tabs = h('div', {class: 'tabs', role: 'tablist'},
    h('a', {href: route('pools'), role: 'tab', id: 'tab-pools', class: tab === 'pools' ? 'active' : undefined, 'aria-selected': String(tab === 'pools')}, 'Pools'),
    h('a', {href: route('pools', {tab: 'unassigned'}), role: 'tab', id: 'tab-unassigned', class: tab === 'unassigned' ? 'active' : undefined, 'aria-selected': String(tab === 'unassigned')}, 'Unassigned devices'));
  const body = h('div');
  if (tab === 'pools') {
    const add = h('button', {type: 'button', class: 'primary admin-only', id: 'pool-add', title: 'Add a pool', 'aria-label': 'Add a pool'}, '+');
    ctx.root.append(pageHeader('Host pools', add), tabs, body);
    await poolsTab(ctx, body, add);
  } else {
    ctx.root.append(pageHeader('Host pools'), tabs, body);
    await unassignedTab(ctx, body);
  }
}

async function poolsTab(ctx, body, add) {
  const form = h('form', {class: 'card inline-form', id: 'pool-form', hidden: true});
  const name = h('input', {id: 'pool-name', required: true, maxlength: 64, placeholder: 'e.g. Office laptops'});
  const error = h('p', {class: 'form-error', role: 'alert', hidden: true});
  replace(form, field('New pool name', name), h('button', {type: 'submit', class: 'primary', id: 'pool-save'}, 'Save'),
    h('button', {type: 'button', onclick: () => { form.hidden = true; }}, 'Cancel'), error);
  add.addEventListener('click', () => { form.hidden = false; name.focus(); });
  const list = h('div', {id: 'pool-list'});
  body.append(form, list);
  let open = null;   // id of the pool whose members are shown

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    try {
      await api.post('pools', {name: name.value.trim()});
      name.value = '';
      form.hidden = true;
      await refresh();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  });

  async function refresh() {
    const pools = api.items(await api.get('pools'));
    if (!ctx.alive()) return;
    replace(list, simpleTable([
      {label: 'Pool', value: (p) => (p.id === 0 ? h('span', {class: 'muted'}, 'Unassigned hosts')
        : h('button', {type: 'button', class: 'link', onclick: () => { open = open === p.id ? null : p.id; refresh().catch(ctx.fail); }}, p.name))},
      {label: 'Members', num: true, value: (p) => (p.id === 0 ? '–' : fmt.count((p.members ?? []).length))},
      {label: 'Hosts', num: true, value: (p) => fmt.count(p.hosts)},
      {label: 'Traffic', num: true, value: (p) => fmt.bytes((p.bytes_sent ?? 0) + (p.bytes_rcvd ?? 0))},
      {label: '', value: (p) => (p.id === 0 ? h('a', {class: 'button', href: route('pools', {tab: 'unassigned'})}, 'Assign devices') : [
        h('a', {class: 'button', href: route('hosts', {pool: p.id})}, 'Hosts'),
        h('a', {class: 'button', href: route('charts', {scope: 'pool', id: p.id})}, 'Charts'),
        h('a', {class: 'button', href: route('live', {pool: p.id})}, 'Live flows'),
        h('button', {type: 'button', class: 'danger admin-only', onclick: async () => {
          if (!confirm(`Delete pool ${p.name}?`)) return;
          try { await api.del(`pools/${encodeURIComponent(p.id)}`); await refresh(); } catch (e) { ctx.fail(e); }
        }}, 'Delete')])},
    ], pools, {empty: 'No pools yet: press + to add one.'}),
    open !== null && pools.some((p) => p.id === open) ? members(pools.find((p) => p.id === open)) : null);
  }

  function members(pool) {
    const input = h('input', {id: 'member-input', maxlength: 64, placeholder: 'IP, CIDR or MAC'});
    const addForm = h('form', {class: 'inline-form admin-only'}, field(`Add a member to ${pool.name}`, input), h('button', {type: 'submit'}, 'Add'));
    addForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api.post(`pools/${encodeURIComponent(pool.id)}/members`, {members: [input.value.trim()]}); await refresh(); } catch (e) { ctx.fail(e); }
    });
    const newName = h('input', {id: 'pool-rename', maxlength: 64, value: pool.name});
    const renameForm = h('form', {class: 'inline-form admin-only'}, field('Name', newName), h('button', {type: 'submit'}, 'Rename'));
    renameForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api.put(`pools/${encodeURIComponent(pool.id)}`, {name: newName.value.trim()}); await refresh(); } catch (e) { ctx.fail(e); }
    });
    return h('div', {class: 'card', id: 'pool-members'},
      h('h2', {}, `Members of ${pool.name}`),
      renameForm,
      simpleTable([
        {label: 'Member', value: (m) => m},
        {label: '', value: (m) => h('button', {type: 'button', class: 'danger admin-only', onclick: async () => {
          try { await api.del(`pools/${encodeURIComponent(pool.id)}/members`, {members: [m]}); await refresh(); } catch (e) { ctx.fail(e); }
        }}, 'Remove')},
      ], (pool.members ?? []).map(String), {empty: 'No members.'}),
      addForm);
  }

  await ctx.every(10000, refresh);
}

async function unassignedTab(ctx, body) {
  // Pool 0 is "no pool": not a target.
  const pools = api.items(await api.get('pools')).filter((p) => p.id !== 0);
  if (!pools.length) {
    body.append(h('p', {class: 'muted'}, 'Create a pool first (Pools tab, +).'));
  }
  const target = h('select', {id: 'assign-pool', 'aria-label': 'Pool'}, pools.map((p) => option(p.id, p.name, pools[0]?.id)));
  const save = h('button', {type: 'button', class: 'primary', id: 'assign-save', disabled: !pools.length}, 'Save');
  const status = h('span', {class: 'muted', id: 'assign-status'});
  const list = h('div', {id: 'unassigned-list'});
  const chosen = new Set();
  body.append(h('div', {class: 'toolbar admin-only'}, field('Assign selected devices to', target), save, status), list);

  const key = (d) => d.mac || d.ip;
  async function refresh() {
    const devices = api.items(await api.get('devices/unassigned', {limit: 500}));
    if (!ctx.alive()) return;
    replace(list, simpleTable([
      {label: '', value: (d) => h('input', {type: 'checkbox', class: 'pick admin-only', 'aria-label': `Select ${key(d)}`, checked: chosen.has(key(d)),
        dataset: {member: key(d)}, onchange: (ev) => { if (ev.target.checked) chosen.add(key(d)); else chosen.delete(key(d)); }})},
      {label: 'MAC', value: (d) => d.mac || '–'},
      // The IEEE registrant of the MAC's prefix; a locally administered MAC
      // (a phone's randomised one, a VM's) has none by design.
      {label: 'Vendor', value: (d) => d.vendor || (d.locally_administered ? h('span', {class: 'muted', title: 'The MAC\'s U/L bit is set: assigned locally (randomised or virtual), registered to no maker'}, 'local MAC') : '–')},
      {label: 'Name', value: (d) => h('span', {class: 'wrap'}, d.name || '–')},
      {label: 'IP', value: (d) => d.ip || '–'},
      {label: 'VLAN', num: true, value: (d) => String(d.vlan ?? 0)},
    ], devices, {empty: 'Every device belongs to a pool.'}));
  }
  save.addEventListener('click', async () => {
    if (!chosen.size) { status.textContent = 'Select at least one device.'; return; }
    save.disabled = true;
    let done = 0;
    try {
      const members = [...chosen];
      await api.post(`pools/${encodeURIComponent(target.value)}/members`, {members});
      chosen.clear();
      done = members.length;
      status.textContent = `Assigned ${done} device${done === 1 ? '' : 's'}.`;
    } catch (e) {
      ctx.fail(e);
    } finally {
      save.disabled = false;
      await refresh().catch(ctx.fail);
    }
  });
  await ctx.every(10000, refresh);
}
