// A thread read as a conversation: every message inline, nested by reply or flat by date.
// The cards are laid out at once from the thread tree (subject, who, when); bodies are
// fetched (/api/messages/:mid/structure) as cards come near the screen, a few at a time,
// so the first screen of a 200-message thread needs a handful of requests.
import { api, el, enc, when, who } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { baseSubject, bodyNode, reveal } from '../lib/mailtext.js';

/** Deeper replies are drawn at this indentation; the depth is still printed. */
const MAX_INDENT = 12;
const IN_FLIGHT = 4;

const cardIds = {
  n: 0,
  next() {
    return ++this.n;
  },
};

/** The tree in reading order with each node's depth, iteratively (reply chains can be thousands deep). */
function flatten(root, order) {
  const out = [];
  const stack = [{ n: root, depth: 0, parent: null }];
  while (stack.length) {
    const { n, depth, parent } = stack.pop();
    if (!n.ghost) out.push({ node: n, depth, parent });
    for (let i = n.children.length - 1; i >= 0; i--) stack.push({ n: n.children[i], depth: n.ghost ? depth : depth + 1, parent: n.ghost ? parent : n });
  }
  if (order === 'date') out.sort((a, b) => String(a.node.date ?? '').localeCompare(String(b.node.date ?? '')));
  return out;
}

/** Fetches bodies for cards as they approach the viewport, at most IN_FLIGHT at once. */
function bodyLoader(onError) {
  const queue = [];
  let running = 0;
  const pump = () => {
    while (running < IN_FLIGHT && queue.length) {
      const job = queue.shift();
      running++;
      job().finally(() => {
        running--;
        pump();
      });
    }
  };
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver(
          (entries) => {
            for (const e of entries) {
              if (!e.isIntersecting) continue;
              observer.unobserve(e.target);
              e.target.loadBody?.();
            }
          },
          { rootMargin: '1200px 0px' },
        )
      : null;
  return {
    watch(card) {
      if (observer) observer.observe(card);
      else card.loadBody?.();
    },
    enqueue(job) {
      queue.push(job);
      pump();
    },
    /** Loads now, ahead of the queue (a permalink or j/k landing on a card). */
    now(job) {
      return job().catch(onError);
    },
  };
}

function card(item, threadId, loader) {
  const { node: n, depth, parent } = item;
  const mid = n.messageId;
  const idPrefix = `m-${cardIds.next()}`;
  const showSubject = !parent || baseSubject(n.subject) !== baseSubject(parent.subject);
  const body = el('div', { class: 'card-body' }, el('p', { class: 'muted loading', text: 'loading…' }));
  const permalink = links.threadAt(threadId, mid);
  const c = el(
    'article',
    {
      // A class per indentation: the page's CSP allows no style attributes.
      class: `card ind${Math.min(depth, MAX_INDENT)}`,
      id: idPrefix,
      'data-mid': mid,
      'data-depth': String(depth),
      tabindex: '-1',
    },
    el(
      'header',
      { class: 'card-head' },
      showSubject ? el('div', { class: 'subject', text: n.subject || '(no subject)' }) : null,
      el('span', { class: 'author', text: who(n.from) }),
      el('span', { class: 'meta' }, ` · ${when(n.date)}`, depth ? ` · depth ${depth}` : '', parent ? [' · in reply to ', el('span', { text: who(parent.from) })] : ''),
      el(
        'span',
        { class: 'card-links' },
        el('a', { href: permalink, class: 'permalink', title: 'link to this message in the thread', text: '#' }),
        el('a', { href: links.message(mid), text: 'message' }),
        el('a', { href: `/api/messages/${enc(mid)}/raw`, text: 'raw' }),
        el('button', {
          type: 'button',
          class: 'linkish',
          text: 'reply',
          onclick: () => {
            const box = c.querySelector('.reply-how');
            if (box) box.hidden = !box.hidden;
          },
        }),
      ),
      el(
        'div',
        { class: 'reply-how', hidden: true },
        'Save the thread (',
        el('a', { href: `/api/threads/${enc(mid)}/mbox`, text: 'mbox' }),
        '), import it in your mail client and reply to all, or send a patch as a reply with:',
        el('pre', { class: 'cmd', text: `git send-email --in-reply-to='<${mid}>' --to=... 0001-*.patch` }),
      ),
    ),
    body,
  );
  let loaded = null;
  const load = async () => {
    const [m, s] = await Promise.all([api(`/api/messages/${enc(mid)}`), api(`/api/messages/${enc(mid)}/structure`)]);
    body.replaceChildren(bodyNode(m.body, s, idPrefix, (b) => links.threadAt(threadId, mid, b)));
  };
  const fail = (e) => body.replaceChildren(el('p', { class: 'error', text: e instanceof Error ? e.message : String(e) }));
  c.loadBody = () => {
    loaded ??= new Promise((resolve) => loader.enqueue(() => load().catch(fail).finally(resolve)));
    return loaded;
  };
  c.loadNow = () => {
    loaded ??= loader.now(load).catch(fail);
    return loaded;
  };
  c.idPrefix = idPrefix;
  return c;
}

/**
 * Where `words` stand in `node`'s text, as a Range, or null. The sentence was read from the
 * block's text (quote markers stripped, lines joined, a diff's comment lines only), so it is
 * matched word by word with whitespace collapsed, and when the whole does not match (a diff
 * line's '+' between its words), by the first run of six words that does, widened while it
 * still matches.
 */
export function findWords(node, words) {
  const want = String(words ?? '').split(/\s+/).filter(Boolean);
  if (!want.length) return null;
  // the node's text with whitespace collapsed, and where each character came from
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let flat = '';
  const from = [];
  let space = true;
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const v = t.nodeValue ?? '';
    for (let i = 0; i < v.length; i++) {
      if (/\s/.test(v[i])) {
        if (space) continue;
        space = true;
        flat += ' ';
      } else {
        space = false;
        flat += v[i];
      }
      from.push([t, i]);
    }
  }
  const RUN = 6;
  const tries = want.length <= RUN ? [[0, want.length]] : [[0, want.length], ...want.slice(0, -RUN + 1).map((_, i) => [i, i + RUN])];
  for (const [a, b] of tries) {
    let at = flat.indexOf(want.slice(a, b).join(' '));
    if (at < 0) continue;
    let end = b;
    while (end < want.length && flat.startsWith(want.slice(a, end + 1).join(' '), at)) end++;
    const len = want.slice(a, end).join(' ').length;
    const start = from[at];
    const last = from[at + len - 1];
    if (!start || !last) return null;
    const r = document.createRange();
    r.setStart(start[0], start[1]);
    r.setEnd(last[0], last[1] + 1);
    return r;
  }
  return null;
}

/** Marks and scrolls to a message (and a block of it, and the words in that) once its body is there. */
export async function landOn(list, mid, block, words) {
  const cards = [...list.querySelectorAll('article.card')];
  const at = cards.findIndex((x) => x.dataset.mid === mid);
  const c = cards[at];
  if (!c) return false;
  // The cards just above load first: a body arriving above the target would push it off screen.
  await Promise.all(cards.slice(Math.max(0, at - 6), at + 2).map((x) => x.loadNow()));
  let target = c;
  if (block !== null && block !== undefined && block !== '') {
    const b = c.querySelector(`[data-block="${CSS.escape(String(block))}"]`);
    if (b) {
      reveal(b);
      target = b;
    }
  }
  c.classList.add('current');
  target.classList.add('landed');
  target.scrollIntoView({ block: 'start' });
  const range = target !== c && words ? findWords(target, words) : null;
  if (range) {
    // The block may be a 300-line diff: the words are brought to the upper third of the screen.
    const top = range.getBoundingClientRect().top;
    if (top > innerHeight / 3) scrollBy(0, top - innerHeight / 3);
    // Highlighted without touching the DOM the mail's text is in.
    if (typeof Highlight === 'function' && CSS.highlights) CSS.highlights.set('landed-words', new Highlight(range));
  }
  return true;
}

/** The conversation of a thread tree: the list of cards and the j/k/n/p keys over it. */
export function conversation(root, threadId, order, onError = () => {}) {
  const loader = bodyLoader(onError);
  const items = flatten(root, order);
  const list = el('div', { class: `conversation ${order === 'date' ? 'flat' : 'nested'}` });
  // Cards go in a chunk per frame: the first screen paints before the last card exists.
  const CHUNK = 40;
  let i = 0;
  const addChunk = () => {
    const frag = document.createDocumentFragment();
    for (const item of items.slice(i, i + CHUNK)) {
      const c = card(item, threadId, loader);
      frag.append(c);
      loader.watch(c);
    }
    list.append(frag);
    i += CHUNK;
    if (i < items.length) requestAnimationFrame(addChunk);
  };
  addChunk();
  const ready = () =>
    new Promise((resolve) => {
      const check = () => (i >= items.length ? resolve() : requestAnimationFrame(check));
      check();
    });
  return { list, count: items.length, ready };
}

/** j/k: next/previous message; n/p: next/previous diff hunk. Ignored while typing. */
export function conversationKeys(list) {
  const handler = (ev) => {
    if (!list.isConnected) return document.removeEventListener('keydown', handler);
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const key = ev.key;
    if (!['j', 'k', 'n', 'p'].includes(key)) return;
    const sel = key === 'j' || key === 'k' ? 'article.card' : 'a[data-hunk]';
    const all = [...list.querySelectorAll(sel)];
    if (!all.length) return;
    const y = 8;
    const tops = all.map((x) => x.getBoundingClientRect().top);
    let idx;
    if (key === 'j' || key === 'n') idx = tops.findIndex((top) => top > y + 2);
    else {
      idx = -1;
      tops.forEach((top, k) => {
        if (top < y - 2) idx = k;
      });
    }
    const target = all[idx];
    if (!target) return;
    ev.preventDefault();
    for (const c of list.querySelectorAll('article.card.current')) c.classList.remove('current');
    const c = target.closest('article.card');
    c?.classList.add('current');
    c?.loadNow?.();
    target.scrollIntoView({ block: 'start' });
    if (target.matches('article.card')) target.focus({ preventScroll: true });
  };
  document.addEventListener('keydown', handler);
}
