import * as api from '../api.js';
import {h, field} from '../dom.js';

export async function render(ctx) {
  const {user} = api.session();
  if (!user || !user.name) { ctx.navigate('#/login'); return; }
  const old = h('input', {id: 'pw-old', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024});
  const next = h('input', {id: 'pw-new', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 1024});
  const again = h('input', {id: 'pw-again', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 1024});
  const error = h('p', {class: 'form-error', role: 'alert', hidden: true});
  const button = h('button', {type: 'submit', class: 'primary', id: 'pw-submit'}, 'Change password');
  const form = h('form', {class: 'card narrow', id: 'password-form'},
    h('h1', {}, 'Change password'),
    h('p', {class: 'muted'}, user.password_change_required
      ? `Choose a new password for ${user.name}: it must be changed before anything else works.`
      : `Choose a new password for ${user.name}.`),
    field('Current password', old), field('New password', next), field('New password again', again), error, button,
    user.password_change_required ? null : [' ', h('a', {class: 'button', href: '#/dashboard'}, 'Cancel')]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    if (next.value !== again.value) {
      error.textContent = 'The new passwords differ.';
      error.hidden = false;
      return;
    }
    button.disabled = true;
    try {
      const data = await api.post(`users/${encodeURIComponent(user.name)}/password`,
        {current_password: old.value, new_password: next.value});
      // The change ends every session of the account and answers with a
      // fresh one (new cookie, new CSRF token).
      api.rememberSession(data?.user ? api.userOf(data) : {...user, password_change_required: false}, data?.csrf_token || undefined);
      ctx.setForced(null);
      ctx.navigate('#/dashboard');
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      button.disabled = false;
    }
  });
  ctx.root.append(form);
  old.focus();
}
