// The single-page shell: hash routes, the session check, the navigation and
// the live refresh. Each page module exports render(ctx); ctx.every(ms, f)
// registers a refresh that stops when the user leaves the page.
import * as api from './api.js';
import {h, replace} from './dom.js';

const pages = {
  login: () => import('./pages/login.js'),
  password: () => import('./pages/password.js'),
  dashboard: () => import('./pages/dashboard.js'),
  hosts: () => import('./pages/hosts.js'),
  host: () => import('./pages/host.js'),
  flows: () => import('./pages/flows.js'),
  pools: () => import('./pages/pools.js'),
  alerts: () => import('./pages/alerts.js'),
  preferences: () => import('./pages/preferences.js'),
  blacklists: () => import('./pages/blacklists.js'),
  probes: () => import('./pages/probes.js'),
  users: () => import('./pages/users.js'),
  charts: () => import('./pages/charts.js'),
  live: () => import('./pages/live.js'),
  tokens: () => import('./pages/tokens.js'),
};
const publicPages = new Set(['login', 'password']);

const view = document.getElementById('view');
const notice = document.getElementById('notice');
let timers = [];
let leaving = [];
let generation = 0;
let forced = null;   // 'login' or 'password' while the server demands it

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, q = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return ''; }
  });
  let name = parts[0] || 'dashboard';
  let params = parts.slice(1);
  if (name === 'hosts' && params.length) { name = 'host'; }
  return {name, params, query: new URLSearchParams(q)};
}

export function navigate(hash) {
  if (location.hash === hash) render(); else location.hash = hash;
}

export function showNotice(text, kind = 'error') {
  if (!text) { notice.hidden = true; return; }
  notice.className = `notice notice-${kind}`;
  notice.textContent = text;
  notice.hidden = false;
}

function stopTimers() {
  for (const t of timers) clearInterval(t);
  timers = [];
  for (const f of leaving) { try { f(); } catch { /* the page is gone anyway */ } }
  leaving = [];
}

function updateChrome(name) {
  const {user} = api.session();
  const signedIn = !publicPages.has(name) && user;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('menu-toggle').hidden = !signedIn;
  document.getElementById('session').hidden = !signedIn;
  document.getElementById('logout').hidden = Boolean(user?.login_disabled);   // --disable-login: nobody to log out
  document.getElementById('session-user').textContent = user ? `${user.name}${user.role ? ' (' + user.role + ')' : ''}` : '';
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.page === name || (name === 'host' && a.dataset.page === 'hosts'));
  }
  document.body.dataset.page = name;
  document.body.dataset.role = user?.role || '';
}

async function render() {
  const my = ++generation;
  stopTimers();
  showNotice(null);
  let {name, params, query} = parseHash();
  if (!pages[name]) name = 'dashboard';
  if (forced && name !== forced && !(forced === 'password' && name === 'login')) {
    location.hash = `#/${forced}`;
    return;
  }
  updateChrome(name);
  const mod = await pages[name]();
  if (my !== generation) return;
  const root = h('section', {class: `page page-${name}`});
  replace(view, root);
  const ctx = {
    root,
    params,
    query,
    navigate,
    notice: showNotice,
    fail: (e) => { if (my === generation) reportError(e); },
    alive: () => my === generation,
    // Runs f now and then every ms while the page is shown; errors become a
    // notice instead of stopping the refresh.
    every(ms, f) {
      const run = async (first) => {
        // Background tabs skip refreshes (not the first drawing).
        if (my !== generation || (document.hidden && !first)) return;
        try { await f(); } catch (e) { if (my === generation) reportError(e); }
      };
      timers.push(setInterval(run, ms));
      return run(true);
    },
    // Pages never import this module (no import circle): login and password
    // lift or set the forced page through the context.
    setForced(value) { forced = value; },
    onLeave(f) { if (my === generation) leaving.push(f); else f(); },
  };
  try {
    await mod.render(ctx);
  } catch (e) {
    if (my === generation) reportError(e);
  }
}

export function reportError(e) {
  if (e instanceof api.ApiError && (e.status === 401 || e.code === 'password_change_required')) return;
  showNotice(e && e.message ? e.message : String(e));
}

api.setAuthHandler((what) => {
  if (what === 'login') {
    api.forgetSession();
    forced = 'login';
    if (parseHash().name !== 'login') location.hash = '#/login';
  } else if (what === 'password') {
    forced = 'password';
    if (parseHash().name !== 'password') location.hash = '#/password';
  }
});

async function refreshAlertBadge() {
  const badge = document.getElementById('alert-badge');
  if (forced || publicPages.has(parseHash().name)) return;
  try {
    const list = await api.request('GET', 'alerts?state=engaged&acknowledged=false&limit=1', undefined, {quiet: true});
    const n = api.total(list);
    badge.textContent = String(n);
    badge.hidden = n === 0;
  } catch {
    badge.hidden = true;
  }
}

document.getElementById('menu-toggle').addEventListener('click', () => {
  const open = document.body.classList.toggle('menu-open');
  document.getElementById('menu-toggle').setAttribute('aria-expanded', String(open));
});
document.getElementById('nav').addEventListener('click', () => document.body.classList.remove('menu-open'));
document.getElementById('logout').addEventListener('click', async () => {
  try { await api.logout(); } catch { /* the session is gone either way */ }
  forced = 'login';
  location.hash = '#/login';
});

window.addEventListener('hashchange', render);
setInterval(refreshAlertBadge, 5000);

// On load, ask the server who we are: the session cookie may be valid
// (a reload) or gone (expired, logged out elsewhere), or login may be off.
async function start() {
  try {
    const s = await api.request('GET', 'session', undefined, {quiet: true});
    const user = api.userOf(s);
    api.rememberSession(user, s?.csrf_token || undefined);
    if (user.password_change_required) forced = 'password';
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) { api.forgetSession(); forced = 'login'; }
    else if (e instanceof api.ApiError && e.code === 'password_change_required') forced = 'password';
  }
  const name = parseHash().name;
  if (forced && name !== forced) location.hash = `#/${forced}`;
  else await render();
  refreshAlertBadge();
}
start();
