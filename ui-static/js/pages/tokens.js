// API tokens (admins only; the server answers 403 to viewers): create one
// with an expiry, see its secret once, list them, revoke. The collector keeps
// only a keyed hash of each secret (collector/http/auth.cpp), so the secret
// shown after "Create" cannot be shown again: the page says so and forgets it
// when the user leaves.
import * as api from '../api.js';
import {h, replace, option, field} from '../dom.js';
import * as fmt from '../format.js';
import {simpleTable} from '../table.js';
import {badge, pageHeader} from '../widgets.js';

const expiries = [['30', '30 days'], ['7', '7 days'], ['90', '90 days'], ['365', '1 year'], ['custom', 'Custom…'], ['', 'Never']];

export async function render(ctx) {
  const name = h('input', {id: 'token-name', required: true, maxlength: 64, placeholder: 'e.g. grafana'});
  const expiry = h('select', {id: 'token-expiry'}, expiries.map(([v, label]) => option(v, label, '30')));
  const days = h('input', {id: 'token-days', type: 'number', min: 1, max: 3650, value: '30'});
  const daysField = field('Days', days);
  daysField.hidden = true;
  expiry.addEventListener('change', () => { daysField.hidden = expiry.value !== 'custom'; });
  const error = h('p', {class: 'form-error', role: 'alert', hidden: true});
  const form = h('form', {class: 'card inline-form', id: 'token-form'},
    field('Name', name), field('Expires', expiry), daysField,
    h('button', {type: 'submit', class: 'primary', id: 'token-create'}, 'Create token'), error);
  const secret = h('div', {class: 'card secret', id: 'token-secret', hidden: true});
  const list = h('div', {id: 'token-list'});
  ctx.root.append(pageHeader('API tokens'),
    h('p', {class: 'muted'}, 'A token authenticates scripts: send it as "Authorization: Bearer TOKEN". It acts as the user who created it.'),
    form, secret, list);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const body = {name: name.value.trim()};
    if (expiry.value === 'custom') body.expires_days = Number(days.value);
    else if (expiry.value) body.expires_days = Number(expiry.value);
    try {
      const made = await api.post('tokens', body);
      name.value = '';
      showSecret(made);
      await refresh();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  });
  ctx.onLeave(() => replace(secret));

  function showSecret(made) {
    const value = h('input', {id: 'token-secret-value', readonly: true, value: made.token ?? '', 'aria-label': 'Token secret', spellcheck: 'false'});
    const copy = h('button', {type: 'button', id: 'token-copy'}, 'Copy');
    copy.addEventListener('click', async () => {
      value.select();
      try { await navigator.clipboard.writeText(value.value); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select and copy'; }
    });
    const done = h('button', {type: 'button', id: 'token-secret-done'}, 'Done');
    done.addEventListener('click', () => { replace(secret); secret.hidden = true; });
    replace(secret,
      h('h2', {}, `Token ${made.name ?? ''} created`),
      h('p', {}, 'Copy it now: it is shown only once and cannot be read back.',
        made.expires_at ? ` Expires ${fmt.time(made.expires_at)}.` : ' It never expires.'),
      h('div', {class: 'inline-form'}, value, copy, done));
    secret.hidden = false;
    value.focus();
    value.select();
  }

  async function revoke(t, button) {
    // A second click confirms (no native dialog: the page stays scriptable).
    if (button.dataset.armed !== 'yes') {
      button.dataset.armed = 'yes';
      button.textContent = 'Click again to revoke';
      setTimeout(() => { button.dataset.armed = ''; button.textContent = 'Revoke'; }, 5000);
      return;
    }
    try { await api.del(`tokens/${encodeURIComponent(t.id)}`); } catch (e) { ctx.fail(e); }
    await refresh().catch(ctx.fail);
  }

  async function refresh() {
    const tokens = api.items(await api.get('tokens'));
    if (!ctx.alive()) return;
    const now = Date.now();
    const expired = (t) => t.expires_at && fmt.toDate(t.expires_at)?.getTime() <= now;
    replace(list, simpleTable([
      {label: 'Name', value: (t) => h('span', {class: 'wrap'}, t.name)},
      {label: 'User', value: (t) => t.user},
      {label: 'Created', num: true, value: (t) => fmt.time(t.created_at)},
      {label: 'Expires', num: true, value: (t) => (t.expires_at ? [fmt.time(t.expires_at), expired(t) ? [' ', badge('expired', 'bad')] : null] : 'never')},
      {label: 'Last used', num: true, value: (t) => (t.last_used_at ? fmt.ago(t.last_used_at) : 'never')},
      {label: '', value: (t) => {
        const b = h('button', {type: 'button', class: 'danger token-revoke', dataset: {token: String(t.id)}}, 'Revoke');
        b.addEventListener('click', () => revoke(t, b));
        return b;
      }},
    ], tokens, {empty: 'No API tokens.'}));
  }
  await ctx.every(30000, refresh);
}
