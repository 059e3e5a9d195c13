// #/fix/<commit or mid>: a fix and its status on every stable branch, as a table of
// branches x statuses with the mails that justify each step.
import { api, badge, el, enc, errorNode, fill, when } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { fixLinks } from './fix-links.js';

/** The server's order (domain/patch/stable-status.ts STATUSES): later wins on a branch. */
export const STATUSES = ['wanted', 'autosel', 'failed-to-apply', 'not-needed', 'backport-posted', 'queued', 'in-review', 'released'];

function cell(branchStatus, status) {
  const steps = branchStatus.history.filter((h) => h.status === status);
  if (!steps.length) return '';
  const current = branchStatus.status === status;
  // The latest mail for this status links; older ones are counted (all are in the evidence column).
  const last = steps[steps.length - 1];
  return el(
    'div',
    { class: current ? 'current' : 'past' },
    current ? badge(status) : el('span', { class: 'muted', text: '✓ ' }),
    el('div', {}, el('a', { href: links.message(last.messageId), class: 'meta', title: `<${last.messageId}>`, text: when(last.date).slice(0, 10) }), steps.length > 1 ? el('span', { class: 'meta', text: ` +${steps.length - 1}` }) : null),
  );
}

export function fixStatusTable(f) {
  const branches = Object.keys(f.branches).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (!branches.length) return el('p', { class: 'muted', text: 'Not seen on any stable branch.' });
  return el(
    'table',
    { class: 'status-grid' },
    el('thead', {}, el('tr', {}, el('th', { text: 'branch' }), STATUSES.map((s) => el('th', { text: s })), el('th', { text: 'version' }), el('th', { text: 'evidence' }))),
    el(
      'tbody',
      {},
      branches.map((b) => {
        const s = f.branches[b];
        return el(
          'tr',
          {},
          el('th', {}, el('a', { href: links.stable(b), text: b })),
          STATUSES.map((st) => el('td', {}, cell(s, st))),
          el('td', { text: [s.version, s.rc ? `rc ${s.rc}` : '', s.base ? `base ${s.base}` : ''].filter(Boolean).join(' · ') }),
          el('td', {}, s.evidence.map((mid, i) => [i ? ' ' : '', el('a', { href: links.message(mid), text: `[${i + 1}]`, title: `<${mid}>` })])),
        );
      }),
    ),
  );
}

function fixHeader(fix) {
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
  );
}

export async function fixStatusView(root, { args }) {
  const key = args[0] ?? '';
  const f = await api(`/api/fix-status/${enc(key)}`);
  // The patch mail ties the fix to the scenarios that model it.
  const modelled = f.fix.patchMessageId ? await fixLinks(f.fix.patchMessageId).catch((e) => errorNode(e)) : null;
  fill(root, fixHeader(f.fix), fixStatusTable(f), modelled);
}
