// Tables. simpleTable() draws rows it is given; pagedTable() asks the server
// for one page at a time with limit/offset/sort/order (and q for the search
// box) and keeps the user's rows-per-page choice in localStorage.
import {h, replace, option} from './dom.js';
import * as api from './api.js';

// columns: [{key, label, value(row) -> Node|string, num: bool, sort: 'server sort key'}]
export function simpleTable(columns, rows, {empty = 'Nothing to show.', rowClass} = {}) {
  const body = rows.length
    ? rows.map((r) => h('tr', {class: rowClass ? rowClass(r) : undefined},
        columns.map((c) => h('td', {class: c.num ? 'num' : undefined, 'data-label': c.label}, cell(c, r)))))
    : [h('tr', {}, h('td', {colspan: columns.length, class: 'empty'}, empty))];
  return h('div', {class: 'table-wrap'},
    h('table', {class: 'data'},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {class: c.num ? 'num' : undefined, scope: 'col'}, c.label)))),
      h('tbody', {}, body)));
}

function cell(c, r) {
  const v = c.value ? c.value(r) : r[c.key];
  return v === undefined || v === null ? '–' : v;
}

export function pagedTable({id, columns, load, sort, order = 'desc', pageSizes = [10, 25, 50, 100], search = false,
                            searchLabel = 'Search', empty = 'Nothing to show.', filters}) {
  const sizeKey = `wf_rows_${id}`;
  const state = {
    sort, order, offset: 0, q: '',
    limit: Number(localStorage.getItem(sizeKey)) || pageSizes[1] || pageSizes[0],
  };
  if (!pageSizes.includes(state.limit)) state.limit = pageSizes[0];
  let last = {total: 0, items: []};

  const thead = h('thead');
  const tbody = h('tbody');
  const info = h('span', {class: 'pager-info'});
  const prev = h('button', {type: 'button', class: 'pager-prev', onclick: () => { state.offset = Math.max(0, state.offset - state.limit); refresh(); }}, '‹ Prev');
  const next = h('button', {type: 'button', class: 'pager-next', onclick: () => { state.offset += state.limit; refresh(); }}, 'Next ›');
  const size = h('select', {class: 'rows-per-page', 'aria-label': 'Rows per page'}, pageSizes.map((n) => option(n, `${n} rows`, state.limit)));
  size.addEventListener('change', () => {
    state.limit = Number(size.value);
    localStorage.setItem(sizeKey, String(state.limit));
    state.offset = 0;
    refresh();
  });
  let box = null;
  if (search) {
    box = h('input', {type: 'search', class: 'search', placeholder: searchLabel, 'aria-label': searchLabel, maxlength: 256});
    let timer = 0;
    box.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.q = box.value.trim(); state.offset = 0; refresh(); }, 300);
    });
  }

  function header() {
    replace(thead, h('tr', {}, columns.map((c) => {
      if (!c.sort) return h('th', {class: c.num ? 'num' : undefined, scope: 'col'}, c.label);
      const active = state.sort === c.sort;
      return h('th', {class: c.num ? 'num sortable' : 'sortable', scope: 'col', 'aria-sort': active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none'},
        h('button', {type: 'button', class: 'sort', 'data-sort': c.sort, onclick: () => {
          if (state.sort === c.sort) state.order = state.order === 'asc' ? 'desc' : 'asc';
          else { state.sort = c.sort; state.order = c.num ? 'desc' : 'asc'; }
          state.offset = 0;
          refresh();
        }}, c.label, active ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''));
    })));
  }

  function body() {
    const rows = last.items;
    replace(tbody, rows.length
      ? rows.map((r) => h('tr', {}, columns.map((c) => h('td', {class: c.num ? 'num' : undefined, 'data-label': c.label}, cell(c, r)))))
      : h('tr', {}, h('td', {colspan: columns.length, class: 'empty'}, empty)));
    const from = last.total ? state.offset + 1 : 0;
    const to = Math.min(state.offset + rows.length, last.total);
    info.textContent = `${from}–${to} of ${last.total}`;
    prev.disabled = state.offset === 0;
    next.disabled = state.offset + state.limit >= last.total;
  }

  let latest = 0;
  async function refresh() {
    const mine = ++latest;
    const params = {limit: state.limit, offset: state.offset, sort: state.sort, order: state.sort ? state.order : undefined};
    if (search && state.q) params.q = state.q;
    Object.assign(params, filters ? filters() : {});
    const page = await load(params);
    if (mine !== latest) return undefined;   // a newer request (sort, page, search) answers instead
    last = {total: api.total(page), items: api.items(page)};
    if (state.offset > 0 && state.offset >= last.total) {   // the list shrank under us
      state.offset = Math.max(0, Math.floor((last.total - 1) / state.limit) * state.limit);
      return refresh();
    }
    header();
    body();
  }

  header();
  const el = h('div', {class: 'paged', id},
    h('div', {class: 'toolbar'}, box, h('span', {class: 'spacer'}), size),
    h('div', {class: 'table-wrap'}, h('table', {class: 'data'}, thead, tbody)),
    h('div', {class: 'pager'}, prev, info, next));
  return {el, refresh, state, reset() { state.offset = 0; }};
}
