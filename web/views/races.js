// #/races?file=&function=&lock=&outcome=&status=&d=&offset= : the races read out of the
// mail, newest activity first, filtered as /api/races filters them.
import { api, badge, day, el, fill, plural } from '../lib/dom.js';
import { links } from '../lib/router.js';

const PAGE = 50;
// domain/knowledge/types.ts OUTCOMES ('' = any)
const OUTCOMES = ['', 'data-loss', 'deadlock', 'crash', 'corruption', 'use-after-free', 'stale-result', 'benign-data-race', 'other'];
const STATUSES = ['', 'confirmed', 'open', 'refuted'];
const TEXT_FILTERS = [
  ['file', 'file', 'mm/filemap.c'],
  ['function', 'function', 'collapse_file'],
  ['lock', 'lock', 'i_mmap_rwsem'],
  ['d', 'date', '2024-01-01.. or 2.weeks.ago..'],
];

function filterForm(query, outcomes) {
  const form = el(
    'form',
    { class: 'race-filters' },
    TEXT_FILTERS.map(([name, label, ph]) => el('label', {}, `${label} `, el('input', { name, value: query.get(name) ?? '', placeholder: ph, size: 14 }))),
    el('label', {}, 'outcome ', el('select', { name: 'outcome' }, outcomes.map((o) => el('option', { value: o, selected: query.get('outcome') === o && o !== '', text: o || 'any' })))),
    el('label', {}, 'status ', el('select', { name: 'status' }, STATUSES.map((o) => el('option', { value: o, selected: query.get('status') === o && o !== '', text: o || 'any' })))),
    el('button', { text: 'filter' }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = {};
    for (const [k, v] of new FormData(form)) if (String(v).trim()) p[k] = String(v).trim();
    location.hash = links.races(p);
  });
  return form;
}

const FILTER_NAMES = { file: 'file', function: 'function', lock: 'lock', outcome: 'outcome', status: 'status', d: 'active' };

/** "3 races with file extent_cache.c, outcome use-after-free · show all": what the list is narrowed by, and the way back. */
function summaryLine(total, params) {
  const on = Object.keys(FILTER_NAMES).filter((k) => params.get(k));
  return el(
    'p',
    { class: 'status', role: 'status' },
    plural(total, 'race', 'races'),
    on.length ? ` with ${on.map((k) => `${FILTER_NAMES[k]} ${params.get(k)}`).join(', ')} · ` : null,
    on.length ? el('a', { href: links.races(), text: 'show all' }) : null,
  );
}

/** When a race was discussed: one day, or the first and last. */
const active = (x) => (day(x.firstDate) === day(x.lastDate) ? day(x.lastDate) : `${day(x.firstDate)} .. ${day(x.lastDate)}`);

/** Race summaries as a short list (the home page's recent races, a message's races). */
export function raceList(races) {
  return el(
    'ul',
    { class: 'plain' },
    races.map((x) => el('li', {}, badge(x.outcome), ' ', el('a', { href: links.race(x.id), text: x.title }), el('span', { class: 'meta', text: ` — ${x.status}, ${plural(x.fixes, 'proposed fix', 'proposed fixes')}, ${day(x.lastDate)}` }))),
  );
}

export async function racesView(root, { query }) {
  const params = new URLSearchParams();
  for (const k of ['file', 'function', 'lock', 'outcome', 'status', 'd', 'offset']) if (query.get(k)) params.set(k, query.get(k));
  params.set('limit', String(PAGE));
  const r = await api(`/api/races?${params}`);
  const offset = r.offset;
  const at = (o) => {
    const p = new URLSearchParams(params);
    p.delete('limit');
    p.set('offset', String(o));
    return links.races(p);
  };
  fill(
    root,
    el('h1', { text: 'Races' }),
    filterForm(query, OUTCOMES),
    summaryLine(r.total, params),
    r.races.length
      ? el(
          'table',
          { class: 'races' },
          el('thead', {}, el('tr', {}, [['race'], ['outcome'], ['status'], ['confidence'], ['active'], ['fixes', 'fixes proposed in its threads'], ['read from', 'the mails the race was read from, not every mail of its threads']].map(([h, title]) => el('th', { text: h, title })))),
          el(
            'tbody',
            {},
            r.races.map((x) =>
              el(
                'tr',
                {},
                el('td', {}, el('a', { href: links.race(x.id), text: x.title })),
                el('td', {}, badge(x.outcome)),
                el('td', {}, badge(x.status)),
                el('td', { text: `${Math.round(x.confidence * 100)}%` }),
                el('td', { class: 'meta active', text: active(x) }),
                el('td', { text: String(x.fixes) }),
                el('td', { class: 'count', text: plural(x.evidence.length, 'mail', 'mails') }),
              ),
            ),
          ),
        )
      : el('p', { class: 'muted', text: 'No race matches.' }),
    r.total > PAGE
      ? el(
          'nav',
          { class: 'pager' },
          offset > 0 ? el('a', { href: at(Math.max(0, offset - PAGE)), text: '← previous' }) : null,
          el('span', { text: ` ${offset + 1}–${Math.min(offset + PAGE, r.total)} of ${r.total} ` }),
          offset + PAGE < r.total ? el('a', { href: at(offset + PAGE), text: 'next →' }) : null,
        )
      : null,
  );
}
