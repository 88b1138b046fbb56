import * as api from '../api.js';
import {h, field} from '../dom.js';

export async function render(ctx) {
  const user = h('input', {name: 'username', id: 'login-username', autocomplete: 'username', required: true, maxlength: 128});
  const pass = h('input', {name: 'password', id: 'login-password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024});
  const error = h('p', {class: 'form-error', role: 'alert', hidden: true});
  const button = h('button', {type: 'submit', class: 'primary', id: 'login-submit'}, 'Log in');
  const form = h('form', {class: 'card narrow', id: 'login-form'},
    h('h1', {}, 'Log in'),
    field('User', user), field('Password', pass), error, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const who = await api.login(user.value, pass.value);
      const mustChange = who.password_change_required;
      ctx.setForced(mustChange ? 'password' : null);
      ctx.navigate(mustChange ? '#/password' : '#/dashboard');
    } catch (e) {
      error.textContent = e.status === 401 || e.status === 400 ? 'Wrong user name or password.'
        : e.status === 429 ? 'Too many attempts: wait a minute and try again.' : e.message;
      error.hidden = false;
      button.disabled = false;
    }
  });
  ctx.root.append(form);
  user.focus();
}
