// #/fix/<commit or mid>: a fix and its status on every stable branch. Each branch shows
// its current status (the latest decisive event), since when, whether a release carries
// it, and its whole timeline: every event with its date, sender, mail and the sentence
// that made it. Everything from a mail is set as text.
import { api, badge, day, el, enc, errorNode, fill } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { fixLinks } from './fix-links.js';

/** The statuses the server knows (domain/patch/stable-status.ts STATUSES). */
export const STATUSES = ['wanted', 'autosel', 'failed-to-apply', 'not-needed', 'backport-posted', 'queued', 'in-review', 'released'];

/** "released in 6.1.50 (stable git tree)", "not in a release up to 6.1.120", "release unknown". */
export function releaseText(r) {
  if (!r || r.state === 'unknown') return 'release unknown';
  if (r.state === 'not-yet') return `not in a release up to ${r.asOf}`;
  return `released${r.version ? ` in ${r.version}` : ''} (${r.source})`;
}

function timeline(history) {
  return el(
    'ol',
    { class: 'timeline' },
    history.map((h) =>
      el(
        'li',
        {},
        el('span', { class: 'meta', text: `${day(h.date)} ` }),
        badge(h.status),
        h.sender ? el('span', { class: 'meta', text: ` ${h.sender} ` }) : ' ',
        h.messageId ? el('a', { href: links.message(h.messageId), title: `<${h.messageId}>`, text: 'mail' }) : el('span', { class: 'meta', text: h.kind }),
        h.sentence ? el('div', { class: 'sentence', text: `“${h.sentence}”${h.rawRange ? ` (range as written: “${h.rawRange}”)` : ''}` }) : null,
      ),
    ),
  );
}

/** `at`: the branch row to mark (the matrix cell a reader came from). */
export function fixStatusTable(f, at = null) {
  const branches = Object.keys(f.branches).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  if (!branches.length) return el('p', { class: 'muted', text: 'Not seen on any stable branch.' });
  return el(
    'table',
    { class: 'status-grid' },
    el('thead', {}, el('tr', {}, ['branch', 'status', 'since', 'release', 'first – last', 'timeline'].map((h) => el('th', { text: h })))),
    el(
      'tbody',
      {},
      branches.map((b) => {
        const s = f.branches[b];
        const extra = [s.rc ? `rc ${s.rc}` : '', s.base ? `base ${s.base}` : ''].filter(Boolean).join(' · ');
        return el(
          'tr',
          { 'data-branch': b, class: b === at ? 'landed' : null },
          el('th', {}, el('a', { href: links.stable(b), text: b })),
          el('td', {}, badge(s.status), extra ? el('div', { class: 'meta', text: extra }) : null),
          el('td', { text: day(s.since) }),
          el('td', { text: releaseText(s.release) }),
          el('td', { class: 'meta', text: `${day(s.firstDate)} – ${day(s.lastDate)}` }),
          el('td', {}, timeline(s.history)),
        );
      }),
    ),
  );
}

function fixHeader(f) {
  const fix = f.fix;
  const others = (f.links ?? []).filter((l) => l.messageId !== fix.patchMessageId);
  return el(
    'div',
    {},
    el('h1', { text: fix.title }),
    el(
      'p',
      { class: 'meta' },
      fix.upstreamCommit ? el('code', { text: fix.upstreamCommit }) : 'no upstream commit known',
      fix.author ? ` · ${fix.author.name ?? ''} <${fix.author.email ?? ''}>` : '',
      fix.patchMessageId ? [' · ', el('a', { href: links.message(fix.patchMessageId), text: 'original patch' }), ` (found by ${fix.patchMatch})`] : '',
    ),
    others.length
      ? el(
          'p',
          { class: 'meta' },
          'Joined into this fix: ',
          others.map((l, i) => [i ? ', ' : '', el('a', { href: links.message(l.messageId), title: `<${l.messageId}>`, text: `${l.role} mail` }), ` (${l.how})`]),
        )
      : null,
  );
}

export async function fixStatusView(root, { args, query }) {
  const key = args[0] ?? '';
  const f = await api(`/api/fix-status/${enc(key)}`);
  // The patch mail ties the fix to the scenarios that model it.
  const modelled = f.fix.patchMessageId ? await fixLinks(f.fix.patchMessageId).catch((e) => errorNode(e)) : null;
  const branch = query.get('branch');
  fill(root, fixHeader(f), fixStatusTable(f, branch), modelled);
  root.querySelector('tr.landed')?.scrollIntoView({ block: 'center' });
}
