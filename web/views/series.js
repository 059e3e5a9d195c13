// #/series/<mid>: every version of a patch series, each patch with its trailers and
// where each trailer was given (in the patch, in a reply, on the cover letter).
import { api, el, enc, safeHref, section, table, when, fill } from '../lib/dom.js';
import { links } from '../lib/router.js';

function trailerNode(t) {
  const url = safeHref(t.url);
  const where = t.carriedFrom ? 'in a reply to an earlier version (patch unchanged)' : t.fromCover ? 'on the cover letter' : t.followup ? 'in a reply' : 'in the patch';
  return el(
    'li',
    {},
    el('span', { class: 'trailer', text: `${t.name}: ${t.value}` }),
    url ? [' ', el('a', { href: url, rel: 'noreferrer', text: 'link' })] : null,
    t.commit ? el('code', { text: ` ${t.commit}` }) : null,
    t.followup || t.fromCover
      ? el('span', { class: 'meta' }, ` — given ${where}, `, el('a', { href: links.message(t.givenIn), text: `<${t.givenIn}>` }))
      : el('span', { class: 'meta', text: ` — ${where}` }),
  );
}

function trailers(list) {
  return list.length ? el('ul', { class: 'trailers' }, list.map(trailerNode)) : el('span', { class: 'muted', text: 'none' });
}

function versionNode(v, requested) {
  return el(
    'section',
    { class: v.version === requested ? 'version current' : 'version' },
    el('h2', {}, `v${v.version}: ${v.title}`, v.superseded ? el('span', { class: 'badge', text: 'superseded' }) : null),
    el(
      'p',
      { class: 'meta' },
      `${v.sender ?? 'unknown sender'} · ${when(v.date)} · ${v.total ?? v.patches.length} patch${(v.total ?? v.patches.length) === 1 ? '' : 'es'}`,
      v.changeId ? ` · change-id ${v.changeId}` : '',
      v.coverMessageId ? [' · ', el('a', { href: links.message(v.coverMessageId), text: 'cover letter' })] : '',
    ),
    v.coverTrailers.length ? el('div', {}, el('h3', { text: 'On the cover letter' }), trailers(v.coverTrailers)) : null,
    table(
      ['#', 'patch', 'trailers', 'previous version'],
      v.patches.map((p) => [
        String(p.index),
        el('div', {}, el('a', { href: links.message(p.messageId), text: p.subject }), p.patchId ? el('div', { class: 'meta', text: `patch-id ${p.patchId.slice(0, 12)}` }) : null),
        trailers(p.trailers),
        p.previousMessageId ? el('span', {}, el('a', { href: links.message(p.previousMessageId), text: 'previous' }), el('span', { class: 'meta', text: ` by ${p.match}` })) : '',
      ]),
      'patches',
    ),
  );
}

/** The short form for a message page: versions and a link to the full view. */
export function seriesSummary(s, mid) {
  return section(
    'Series',
    el('p', {}, el('a', { href: links.series(mid), text: s.title }), ` — version${s.versions.length === 1 ? '' : 's'} ${s.versions.map((v) => `v${v.version}${v.superseded ? ' (superseded)' : ''}`).join(', ')}; this is v${s.requested}`),
  );
}

export async function seriesView(root, { args }) {
  const mid = args[0] ?? '';
  const s = await api(`/api/series/${enc(mid)}`);
  fill(root, el('h1', { text: s.title }), ...s.versions.map((v) => versionNode(v, s.requested)));
}
