// What every browser test does with its page: screenshots, the API as the
// logged-in page sees it (same cookie, the session's CSRF token), navigation
// and polling. One copy for dashboard.test.mjs and live.test.mjs.
import path from 'node:path';

// getPage: the test's current page (tests open it in before()).
export function pageHelpers(getPage, url, shots) {
  return {
    async shot(name) {
      await getPage().screenshot({path: path.join(shots, `${name}.png`), fullPage: true});
    },
    async api(method, route, body) {
      return getPage().evaluate(async ([m, r, b]) => {
        const headers = {Accept: 'application/json'};
        if (m !== 'GET') {
          headers['Content-Type'] = 'application/json';
          headers['X-CSRF-Token'] = sessionStorage.getItem('wf_csrf') ?? '';
        }
        const res = await fetch(`api/v1/${r}`, {method: m, headers, body: b === undefined ? undefined : JSON.stringify(b)});
        return {status: res.status, body: await res.json().catch(() => null)};
      }, [method, route, body]);
    },
    async go(hash) {
      await getPage().goto(new URL(hash, url).href);
    },
  };
}

// Polls f until it returns a truthy value (the UI refreshes every few s).
export async function eventually(f, what, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await f();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}: ${last}`);
}
