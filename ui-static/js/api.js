// The one place that talks to /api/v1. Cookies carry the session (HttpOnly,
// so scripts never see it); the CSRF token from the login answer goes in
// X-CSRF-Token on every state-changing request.

const base = 'api/v1';
const csrfKey = 'wf_csrf';
const userKey = 'wf_user';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

let onAuthProblem = () => {};
// f(code): 'login' when the session is gone, 'password' when the default
// password must be changed first.
export function setAuthHandler(f) { onAuthProblem = f; }

export function session() {
  try {
    return {user: JSON.parse(sessionStorage.getItem(userKey) || 'null'), csrf: sessionStorage.getItem(csrfKey)};
  } catch {
    return {user: null, csrf: null};
  }
}

export function rememberSession(user, csrf) {
  if (user) sessionStorage.setItem(userKey, JSON.stringify(user)); else sessionStorage.removeItem(userKey);
  if (csrf) sessionStorage.setItem(csrfKey, csrf); else if (csrf === null) sessionStorage.removeItem(csrfKey);
}

// Viewers may look but not change: the server refuses (403) and the pages
// hide the controls (class admin-only) or disable them.
export function isViewer() {
  return session().user?.role === 'viewer';
}

export function forgetSession() {
  sessionStorage.removeItem(userKey);
  sessionStorage.removeItem(csrfKey);
}

export async function request(method, path, body, {quiet = false} = {}) {
  const headers = {Accept: 'application/json'};
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    const {csrf} = session();
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(`${base}/${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'The collector is not reachable');
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const code = data && typeof data.error === 'string' ? data.error : `http_${res.status}`;
    const message = data && typeof data.message === 'string' ? data.message : res.statusText;
    if (!quiet) {
      if (res.status === 401) onAuthProblem('login');
      else if (res.status === 403 && code === 'password_change_required') onAuthProblem('password');
    }
    throw new ApiError(res.status, code, message);
  }
  return data;
}

export const get = (path, params) => request('GET', params ? `${path}?${query(params)}` : path);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path, body) => request('DELETE', path, body);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  return q.toString();
}

// List answers are {"total": N, "items": [...]}; tolerate a bare array.
export function items(list) {
  if (Array.isArray(list)) return list;
  return list && Array.isArray(list.items) ? list.items : [];
}

export function total(list) {
  if (Array.isArray(list)) return list.length;
  return list && typeof list.total === 'number' ? list.total : items(list).length;
}

// The session answer (login, GET session, own password change):
// {user, role, must_change_password, csrf_token, login_disabled}.
export function userOf(s) {
  return {name: s?.user ?? '', role: s?.role ?? '', password_change_required: Boolean(s?.must_change_password),
    login_disabled: Boolean(s?.login_disabled)};
}

export async function login(username, password) {
  const data = await request('POST', 'login', {user: username, password}, {quiet: true});
  const user = userOf(data);
  rememberSession(user, data?.csrf_token || null);
  return user;
}

export async function logout() {
  try { await request('POST', 'logout', {}, {quiet: true}); } finally { forgetSession(); }
}
