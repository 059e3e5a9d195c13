// The loregraph page: hash routes to views, each a function filling a fresh container
// from the JSON API (web/views/). Mail text only ever enters the page as text nodes.
import { el, errorNode, fill } from './lib/dom.js';
import { links, parseHash } from './lib/router.js';
import { knowledgeIndex, searchKnowledge } from './lib/knowledge.js';
import { knowledgeList, searchView } from './views/search.js';
import { messageView } from './views/message.js';
import { threadView } from './views/thread.js';
import { seriesView } from './views/series.js';
import { fixStatusView } from './views/fix-status.js';
import { stableView } from './views/stable.js';
import { scenariosView } from './views/scenarios.js';
import { scenarioView } from './views/scenario.js';
import { homeView } from './views/home.js';
import { watchesView } from './views/watches.js';
import { proposedFixView, raceView } from './views/race.js';
import { racesView } from './views/races.js';

const $ = (id) => document.getElementById(id);

const VIEWS = {
  '': homeView,
  search: searchView,
  m: messageView,
  t: threadView,
  series: seriesView,
  fix: fixStatusView,
  stable: stableView,
  scenarios: scenariosView,
  s: scenarioView,
  watch: watchesView,
  race: raceView,
  races: racesView,
  proposed: proposedFixView,
};

/** Fills the search form from a #/search link, so a shared link shows its query. */
function syncForm(route) {
  if (route.name !== 'search') return;
  $('q').value = route.query.get('q') ?? '';
  $('sort').value = route.query.get('sort') === 'date' ? 'date' : 'relevance';
  $('threads').checked = route.query.get('threads') === '1';
}

async function render() {
  // Links from the first version of this page (#q=...&offset=...) still open their search.
  if (/^#q=/.test(location.hash)) return location.replace(`#/search?${location.hash.slice(1)}`);
  const route = parseHash(location.hash);
  const view = VIEWS[route.name];
  // A fresh container per navigation: a slow view finishing late fills a detached node.
  const root = el('div', { class: 'view', 'aria-busy': 'true' });
  $('view').replaceChildren(root);
  hideKnowledge();
  syncForm(route);
  try {
    if (!view) throw new Error(`no page ${location.hash}`);
    await view(root, route);
  } catch (e) {
    fill(root, errorNode(e));
  }
  root.removeAttribute('aria-busy');
  const h1 = root.querySelector('h1');
  document.title = h1 ? `${h1.textContent} — loregraph` : 'loregraph';
}

/**
 * A lore link names a message too, and is what a reviewer has at hand: lore.kernel.org/r/<id>,
 * lore.kernel.org/<list>/<id>/ (with T/, t.mbox.gz, #r after it), lkml.kernel.org/r/<id>,
 * patch.msgid.link/<id>. The id is percent-encoded there ('/' as %2F).
 */
const LORE_URL = /^https?:\/\/(?:lore\.kernel\.org\/[^/\s]+|lkml\.kernel\.org\/r|(?:patch\.)?msgid\.link)\/([^/?#\s]+(?:@|%40)[^/?#\s]+)(?:[/?#]\S*)?$/i;

/** A Message-ID pasted alone ('<id@host>', 'id@host' or a lore link to it), or null. */
function pastedMessageId(q) {
  const url = LORE_URL.exec(q);
  if (url) {
    try {
      return decodeURIComponent(url[1]);
    } catch {
      return null;
    }
  }
  const m = /^<?([^\s<>()":]+@[^\s<>()":]+?)>?$/.exec(q);
  return m && (q.startsWith('<') === q.endsWith('>')) ? m[1] : null;
}

async function submitSearch(ev) {
  ev.preventDefault();
  // The suggestions were for typing: a submitted search closes them, and one still loading stays closed.
  clearTimeout(typing);
  submitted++;
  hideKnowledge();
  const q = $('q').value.trim();
  if (!q) return;
  // A pasted Message-ID opens that message when it is stored; else it is searched for.
  const mid = pastedMessageId(q);
  if (mid) {
    const res = await fetch(`/api/messages/${encodeURIComponent(mid)}`, { method: 'HEAD' }).catch(() => null);
    if (res?.ok) return go(links.message(mid));
  }
  const params = { q };
  if ($('sort').value === 'date') params.sort = 'date';
  if ($('threads').checked) params.threads = '1';
  go(links.search(params));
}

/** Navigates; the same link again (search once more, after new mail) renders again. */
function go(hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function submitBranch(ev) {
  ev.preventDefault();
  const b = $('branch').value.trim();
  // No branch: the fixes x branches overview.
  go(b ? links.stable(b) : '#/stable');
}

// ---------------------------------------------------------------- knowledge as you type

function hideKnowledge() {
  $('knowledge').hidden = true;
}

async function filterKnowledge() {
  const q = $('q').value.trim();
  const at = submitted;
  const box = $('knowledge');
  if (q.length < 2) return hideKnowledge();
  let docs;
  try {
    docs = searchKnowledge(await knowledgeIndex(), q, 8);
  } catch (e) {
    fill(box, errorNode(e));
    box.hidden = false;
    return;
  }
  if ($('q').value.trim() !== q || submitted !== at) return; // typed on, or searched, meanwhile
  if (!docs.length) return hideKnowledge();
  fill(box, el('div', { class: 'meta', text: 'Series, races, fixes and scenarios (enter searches the mail):' }), knowledgeList(docs));
  box.hidden = false;
}

let typing;
let submitted = 0;
function onType() {
  clearTimeout(typing);
  typing = setTimeout(() => void filterKnowledge(), 120);
}

$('search').addEventListener('submit', submitSearch);
$('stable-form').addEventListener('submit', submitBranch);
$('q').addEventListener('input', onType);
$('q').addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') hideKnowledge();
  if (ev.key === 'ArrowDown' && !$('knowledge').hidden) {
    ev.preventDefault();
    $('knowledge').querySelector('a')?.focus();
  }
});
// Arrow keys walk the suggestions; Escape goes back to typing.
$('knowledge').addEventListener('keydown', (ev) => {
  const items = [...$('knowledge').querySelectorAll('a')];
  const at = items.indexOf(document.activeElement);
  if (ev.key === 'Escape') {
    hideKnowledge();
    $('q').focus();
  } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    const next = at + (ev.key === 'ArrowDown' ? 1 : -1);
    if (next < 0) $('q').focus();
    else items[Math.min(next, items.length - 1)]?.focus();
  }
});
document.addEventListener('click', (ev) => {
  if (!$('knowledge').contains(ev.target) && ev.target !== $('q')) hideKnowledge();
});
// '?' opens the query syntax, '/' goes to the search box (not while typing somewhere).
document.addEventListener('keydown', (ev) => {
  const t = ev.target;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  if (ev.key === '?') {
    const help = $('syntax-help');
    help.open = !help.open;
    if (help.open) help.scrollIntoView({ block: 'nearest' });
  } else if (ev.key === '/') {
    ev.preventDefault();
    $('q').focus();
  }
});
window.addEventListener('hashchange', () => void render());
void render();
