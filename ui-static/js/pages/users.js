import * as api from '../api.js';
import {h, replace, option, field} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {badge, pageHeader} from '../widgets.js';

// Admins only (the server answers 403 to viewers): accounts and their roles.
export async function render(ctx) {
  const list = h('div', {id: 'user-list'});
  const name = h('input', {id: 'user-name', required: true, maxlength: 64, pattern: '[A-Za-z0-9._\\-]+', placeholder: 'e.g. alice'});
  const role = h('select', {id: 'user-role'}, option('viewer', 'viewer', 'viewer'), option('admin', 'admin', 'viewer'));
  const password = h('input', {id: 'user-password', type: 'password', required: true, minlength: 8, maxlength: 1024, autocomplete: 'new-password'});
  const error = h('p', {class: 'form-error', role: 'alert', hidden: true});
  const form = h('form', {class: 'card inline-form', id: 'user-form'},
    field('Name', name), field('Role', role), field('Initial password', password),
    h('button', {type: 'submit', class: 'primary'}, 'Add user'), error);
  ctx.root.append(pageHeader('Users'), form, list);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    try {
      // The new user chooses their own password at the first login.
      await api.post('users', {name: name.value.trim(), role: role.value, password: password.value, must_change_password: true});
      name.value = '';
      password.value = '';
      await refresh();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  });

  const me = api.session().user?.name;
  async function change(f) {
    try { await f(); } catch (e) { ctx.fail(e); }
    await refresh().catch(ctx.fail);
  }
  async function refresh() {
    const users = api.items(await api.get('users'));
    if (!ctx.alive()) return;
    replace(list, simpleTable([
      {label: 'User', value: (u) => [u.name, u.name === me ? ' (you)' : '']},
      {label: 'Role', value: (u) => {
        const s = h('select', {'aria-label': `Role of ${u.name}`}, option('viewer', 'viewer', u.role), option('admin', 'admin', u.role));
        s.addEventListener('change', () => change(() => api.put(`users/${encodeURIComponent(u.name)}`, {role: s.value})));
        return s;
      }},
      {label: 'State', value: (u) => [u.disabled ? badge('disabled', 'bad') : badge('active', 'ok'),
        u.must_change_password ? [' ', badge('must change password', 'muted')] : null]},
      {label: 'Last login', num: true, value: (u) => fmt.ago(u.last_login_at)},
      {label: '', value: (u) => (u.name === me ? h('a', {class: 'button', href: '#/password'}, 'Change my password') : [
        h('button', {type: 'button', onclick: () => change(() => api.put(`users/${encodeURIComponent(u.name)}`, {disabled: !u.disabled}))},
          u.disabled ? 'Enable' : 'Disable'),
        ' ',
        h('button', {type: 'button', class: 'danger', onclick: () => {
          if (confirm(`Delete user ${u.name}?`)) change(() => api.del(`users/${encodeURIComponent(u.name)}`));
        }}, 'Delete')])},
    ], users, {empty: 'No users.'}));
  }
  await ctx.every(30000, refresh);
}
