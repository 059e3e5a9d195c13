// A thread as nested lists; ghosts (referenced, never archived) are shown as such.
import { el, when, who } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { baseSubject } from '../lib/mailtext.js';


/** As public-inbox does, a reply that keeps its parent's subject shows only who and when. */
function nodeItem(n, focus, parentBase) {
  const same = parentBase !== null && baseSubject(n.subject) === parentBase;
  const label = n.ghost
    ? el('span', { class: 'ghost', text: `(not in the archive: <${n.messageId}>)` })
    : el(
        'a',
        { href: links.message(n.messageId), class: n.messageId === focus ? 'focus' : null, 'aria-current': n.messageId === focus ? 'page' : null },
        same ? null : el('span', { class: 'subject', text: n.subject || '(no subject)' }),
        el('span', { class: same ? 'who' : 'meta', text: same ? `${who(n.from)}, ${when(n.date)}` : ` — ${who(n.from)}, ${when(n.date)}` }),
      );
  const mine = n.ghost ? parentBase : baseSubject(n.subject);
  const kids = n.children.length ? el('ul', {}, n.children.map((c) => nodeItem(c, focus, mine))) : null;
  return el('li', {}, label, kids);
}

/** A 10,000-deep reply chain would nest 10,000 lists: past this depth the rest goes flat. */
const MAX_DEPTH = 40;

/** Every descendant of n in reading order, iteratively, each without children. */
function descendants(n) {
  const out = [];
  const stack = [...n.children].reverse();
  while (stack.length) {
    const c = stack.pop();
    for (let i = c.children.length - 1; i >= 0; i--) stack.push(c.children[i]);
    out.push({ ...c, children: [] });
  }
  return out;
}

function capDepth(n, depth) {
  if (depth === MAX_DEPTH) return { ...n, children: descendants(n) };
  return { ...n, children: n.children.map((c) => capDepth(c, depth + 1)) };
}

export function threadTree(root, focus) {
  return el('ul', { class: 'tree' }, nodeItem(capDepth(root, 0), focus, null));
}
