// DOM building without HTML parsing. Every value that reaches the page, and
// above all packet-derived names (TLS SNI, HTTP Host, DNS), is attacker
// controlled: it only ever becomes a text node or an attribute value set
// through the DOM, never markup (no innerHTML, insertAdjacentHTML or
// document.write anywhere in the dashboard).

// h('a', {class: 'x', href: '#/hosts', onclick: fn}, 'text', childNode, [more])
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'href') el.setAttribute('href', safeHref(value));
      else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Links stay inside the single page: only "#/..." fragments are produced.
export function safeHref(href) {
  const s = String(href);
  return s.startsWith('#/') ? s : '#/';
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// A route fragment with safely encoded parts: route('hosts', ip, {vlan: 3}).
export function route(...parts) {
  let query = '';
  if (parts.length && typeof parts[parts.length - 1] === 'object') {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(parts.pop())) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    if (s) query = '?' + s;
  }
  return '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/') + query;
}

export function option(value, label, selected) {
  return h('option', {value: String(value), selected: String(value) === String(selected)}, label);
}

export function field(label, control) {
  return h('label', {class: 'field'}, h('span', {class: 'field-label'}, label), control);
}
