// Building the page from data. Every string from the API goes in as a text node or an
// attribute value set one by one, never as markup: mail cannot become HTML here.

/**
 * Bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069) shown as what they are: one
 * in a name or subject would otherwise reverse the text after it ("Eve <elpmaxe.live@eve>"
 * out of an address) and disguise what a mail says. Right-to-left script is untouched.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
export function visibleControls(s) {
  return s.replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`);
}

/** el('a', { href, class, text, onclick }, ...children): an element; null/false children are skipped. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = visibleControls(String(v));
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : k === 'href' ? String(v) : visibleControls(String(v)));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' || typeof c === 'number' ? visibleControls(String(c)) : c);
  }
  return e;
}

export const enc = encodeURIComponent;

/** Links to an external page only for http(s) URLs: a trailer's "Link:" is mail text too. */
export function safeHref(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  // 204: "none", the answer a route gives to ?optional=1 (apiOptional)
  if (res.status === 204) return null;
  let body = null;
  try {
    body = await res.json();
  } catch {
    // A proxy's HTML error page, say: report the status.
  }
  if (!res.ok) throw new ApiError(res.status, (body && body.message) || `HTTP ${res.status} for ${path}`);
  return body;
}

/**
 * The API's answer, or null on 404 (a message without a series, a commit never seen). Routes
 * that take ?optional=1 answer "none" with 204, which the browser does not log as a failed load.
 */
export async function apiOptional(path) {
  try {
    return await api(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export const who = (from) => (from ? from.name || from.address : 'unknown');
export const whoFull = (a) => (a ? (a.name ? `${a.name} <${a.address}>` : a.address) : 'unknown');
export const when = (iso) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'undated');
/** The day of an ISO date; `none` where there is no date. */
export const day = (iso, none = 'undated') => (iso ? iso.slice(0, 10) : none);
/** "1 fix", "2,066 patches". */
export const plural = (n, one, many) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** A table: headers, then rows of cells (strings or nodes). */
export function table(headers, rows, cls) {
  return el(
    'table',
    { class: cls },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { text: h })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))),
  );
}

/** A verdict or status as a coloured label; the class is picked from a fixed list, never from data. */
const BADGES = new Set(['holds', 'violated', 'deadlock', 'incomplete', 'released', 'queued', 'in-review', 'backport-posted', 'wanted', 'autosel', 'failed-to-apply', 'not-needed']);
export function badge(text) {
  return el('span', { class: BADGES.has(text) ? `badge b-${text}` : 'badge', text });
}

export function section(title, ...children) {
  return el('section', {}, el('h2', { text: title }), ...children);
}

export function errorNode(e) {
  return el('p', { class: 'error', role: 'alert', text: e instanceof Error ? e.message : String(e) });
}

/** Replaces a container's content; null/false entries are skipped (replaceChildren would print "null"). */
export function fill(root, ...children) {
  root.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}
