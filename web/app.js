// The loregraph page: a search box and a thread view over the JSON API. Mail text is
// only ever put into the page with textContent (never parsed as markup), so nothing from a
// mail can become markup; snippet highlights arrive as data and become <mark> nodes.
const $ = (id) => document.getElementById(id);
const PAGE = 20;
let offset = 0;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

const enc = encodeURIComponent;
const who = (from) => (from ? from.name || from.address : 'unknown');
const when = (iso) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'undated');

function snippetNode(segments) {
  const p = el('div', undefined, 'snippet');
  for (const s of segments) p.append(s.hit ? el('mark', s.text) : document.createTextNode(s.text));
  return p;
}

async function search() {
  const q = $('q').value.trim();
  if (!q) return;
  const params = new URLSearchParams({ q, offset: String(offset), limit: String(PAGE), sort: $('sort').value });
  if ($('threads').checked) params.set('threads', '1');
  location.hash = params.toString();
  $('thread').hidden = true;
  $('message').hidden = true;
  status('searching…');
  try {
    const r = await api(`/api/search?${params}`);
    const list = $('hits');
    list.replaceChildren();
    for (const h of r.hits) {
      const li = el('li');
      const open = el('button', h.subject || '(no subject)', 'link');
      open.addEventListener('click', () => showThread(h.threadId, h.messageId));
      li.append(open, el('div', `${who(h.from)} · ${when(h.date)}`, 'meta'), snippetNode(h.snippet));
      list.append(li);
    }
    status(`${r.totalExact ? '' : 'more than '}${r.total} match${r.total === 1 ? '' : 'es'} in ${r.took_ms} ms`);
    $('pager').hidden = r.total <= PAGE;
    $('prev').disabled = offset === 0;
    $('next').disabled = offset + PAGE >= r.total;
  } catch (e) {
    $('hits').replaceChildren();
    $('pager').hidden = true;
    status(e.message, true);
  }
}

function treeNode(n, focus) {
  const li = el('li');
  if (n.ghost) li.append(el('span', `(not in the archive: <${n.messageId}>)`, 'ghost'));
  else {
    const b = el('button', `${n.subject || '(no subject)'} — ${who(n.from)}, ${when(n.date)}`, 'link');
    b.addEventListener('click', () => showMessage(n.messageId));
    if (n.messageId === focus) b.style.fontWeight = 'bold';
    li.append(b);
  }
  if (n.children.length) {
    const ul = el('ul');
    for (const c of n.children) ul.append(treeNode(c, focus));
    li.append(ul);
  }
  return li;
}

async function showThread(mid, focus) {
  try {
    const t = await api(`/api/threads/${enc(mid)}`);
    $('thread-title').textContent = `${t.root.subject || t.threadId} (${t.messages} messages)`;
    $('thread-mbox').href = `/api/threads/${enc(mid)}/mbox`;
    $('thread-mbox-gz').href = `/api/threads/${enc(mid)}/mbox?gz=1`;
    $('tree').replaceChildren(treeNode(t.root, focus));
    $('thread').hidden = false;
    if (focus) await showMessage(focus);
  } catch (e) {
    status(e.message, true);
  }
}

async function showMessage(mid) {
  try {
    const m = await api(`/api/messages/${enc(mid)}`);
    $('msg-subject').textContent = m.subject || '(no subject)';
    $('msg-meta').textContent = `${who(m.from)} <${m.from ? m.from.address : ''}> · ${when(m.date)} · <${m.messageId}>`;
    $('msg-raw').href = `/api/messages/${enc(mid)}/raw`;
    $('msg-body').textContent = m.body;
    $('message').hidden = false;
  } catch (e) {
    status(e.message, true);
  }
}

$('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  offset = 0;
  void search();
});
$('prev').addEventListener('click', () => {
  offset = Math.max(0, offset - PAGE);
  void search();
});
$('next').addEventListener('click', () => {
  offset += PAGE;
  void search();
});

// A shared link (#q=...&offset=...) opens on its search.
const start = new URLSearchParams(location.hash.slice(1));
if (start.get('q')) {
  $('q').value = start.get('q');
  offset = Number(start.get('offset')) || 0;
  $('sort').value = start.get('sort') === 'date' ? 'date' : 'relevance';
  $('threads').checked = start.get('threads') === '1';
  void search();
}
