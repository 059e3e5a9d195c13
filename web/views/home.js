// #/ : what this archive holds (lists, messages, dates, series, races, stable branches),
// its recent races and series, example queries built from its own data, and the
// simulator scenarios that concern mail found in it: nothing assumes the sample.
import { api, day, el, fill, plural, section, when } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { raceList } from './races.js';

function loaded(stats) {
  const c = stats.counts;
  const o = stats.overview;
  const lists = o.lists.filter((l) => l.list);
  return el(
    'p',
    { class: 'loaded' },
    `${plural(c.messages ?? 0, 'message', 'messages')} in ${plural(c.threads ?? 0, 'thread', 'threads')}`,
    lists.length ? [' from ', lists.slice(0, 6).flatMap((l, i) => [i ? ', ' : '', el('a', { href: links.search({ q: `l:${l.list}` }), text: l.list }), ` (${l.messages.toLocaleString('en')})`]), lists.length > 6 ? ` and ${lists.length - 6} more lists` : ''] : '',
    o.firstDate ? `, ${day(o.firstDate, '?')} to ${day(o.lastDate, '?')}` : '',
    `; ${plural(c.series ?? 0, 'series', 'series')}, ${plural(c.patches ?? 0, 'patch', 'patches')}, `,
    el('a', { href: links.races(), text: plural(c.races ?? 0, 'race', 'races') }),
    ` with ${plural(c.fixes ?? 0, 'proposed fix', 'proposed fixes')}`,
    o.stableBranches.length ? ['; stable: ', o.stableBranches.slice(0, 12).flatMap((b, i) => [i ? ', ' : '', el('a', { href: links.stable(b.branch), title: plural(b.fixes, 'fix', 'fixes'), text: b.branch })]), ' (', el('a', { href: '#/stable', text: 'overview' }), ')'] : '',
    '.',
  );
}

/** Queries that find something here: a file and a function of a recent race, a sender, the last weeks, a list. */
function exampleQueries(stats, races) {
  const out = [];
  const r = races.find((x) => x.files?.length) ?? null;
  const file = r?.files.find((f) => f.includes('/') && !/^[ab]\//.test(f));
  if (file) out.push([`dfn:${file}`, 'mail with a diff touching a file a race names']);
  const fn = races.flatMap((x) => x.functions ?? []).find((f) => f.length > 6 && f.includes('_'));
  if (fn) out.push([`race:${fn}`, 'threads of races naming this function']);
  const series = stats.overview.recentSeries[0];
  if (series?.sender) out.push([`f:${series.sender}`, 'by the sender of the newest series']);
  const last = stats.overview.lastDate;
  if (last) {
    const from = new Date(Date.parse(last) - 14 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    out.push([`d:${from}.. s:PATCH`, 'patches of the last two weeks of the archive']);
  }
  const branch = stats.overview.stableBranches[0]?.branch;
  if (branch) out.push([`branch:${branch}`, `fixes seen for ${branch}.y`]);
  out.push(['is:race', 'every message of a thread read as a race']);
  return out;
}

function seriesList(series) {
  return el(
    'ul',
    { class: 'plain' },
    series.map((s) => el('li', {}, el('a', { href: links.series(s.messageId), text: s.title }), el('span', { class: 'meta', text: ` — v${s.version}, ${plural(s.patches, 'patch', 'patches')}, ${s.senderName ?? s.sender ?? 'unknown'}, ${when(s.date)}` }))),
  );
}

/** The scenarios some mail of this archive is a source or a modelled fix of. */
async function relatedScenarios() {
  const list = await api('/api/scenarios').catch(() => ({ scenarios: [] }));
  const found = await Promise.all(
    list.scenarios.map(async (s) => {
      const l = await api(`/api/scenarios/${encodeURIComponent(s.id)}/links`).catch(() => null);
      const mails = l ? [...(l.variants ?? []), ...(l.sources ?? [])].reduce((n, v) => n + (v.messages?.length ?? 0), 0) : 0;
      return mails ? { s, mails } : null;
    }),
  );
  return found.filter(Boolean);
}

export async function homeView(root) {
  // The scenarios are the last section and the slowest answer of a freshly started server
  // (their files load then): the page shows without them and they follow.
  const scenariosLater = relatedScenarios().catch(() => []);
  const [stats, recent] = await Promise.all([api('/api/stats'), api('/api/races?limit=6').catch(() => ({ races: [] }))]);
  // The full records of the newest races give their files and functions for the examples.
  const detailed = await Promise.all(recent.races.slice(0, 3).map((r) => api(`/api/races/${encodeURIComponent(r.id)}`).catch(() => null)));
  const examples = exampleQueries(stats, detailed.filter(Boolean));
  const scenariosSlot = el('p', { class: 'meta', text: 'looking for race scenarios about this mail…' });
  fill(
    root,
    el('h1', { text: 'Has this race been discussed?' }),
    loaded(stats),
    section('Try', el('ul', { class: 'plain examples' }, examples.map(([q, what]) => el('li', {}, el('a', { href: links.search({ q }) }, el('code', { text: q })), el('span', { class: 'meta', text: ` — ${what}` }))))),
    recent.races.length ? section('Recent races', raceList(recent.races), el('p', {}, el('a', { href: links.races(), text: 'all races, filtered by file, function, lock, outcome, status, date' }))) : null,
    stats.overview.recentSeries.length ? section('Active series', seriesList(stats.overview.recentSeries)) : null,
    scenariosSlot,
  );
  const scenarios = await scenariosLater;
  scenariosSlot.replaceWith(
    scenarios.length
      ? section(
          'Race scenarios about this mail',
          el('ul', { class: 'plain' }, scenarios.map(({ s, mails }) => el('li', {}, el('a', { href: links.scenario(s.id), text: s.title || s.id }), el('span', { class: 'meta', text: ` — ${plural(mails, 'mail', 'mails')} here it models or comes from` })))),
        )
      : el('p', { class: 'meta' }, 'No simulator scenario models mail in this archive; ', el('a', { href: links.scenarios(), text: 'all scenarios' }), '.'),
  );
}
