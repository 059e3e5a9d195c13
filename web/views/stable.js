// #/stable: every fix against every stable branch known in the data (a fix per row, a
// branch per column, counts per status under each branch), so "what is still missing
// from 6.1" is one look. #/stable/<branch>?status= : every fix seen for one branch.
import { api, badge, day, el, enc, table, fill } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { releaseText, STATUSES } from './fix-status.js';

async function overview(root, query) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : null;
  const params = new URLSearchParams({ limit: '200' });
  if (status) params.set('status', status);
  const m = await api(`/api/stable?${params}`);
  if (!m.branches.length) {
    fill(root, el('h1', { text: 'Stable branches' }), el('p', { class: 'muted', text: 'No stable-process mail in this archive yet.' }));
    return;
  }
  const branches = m.branches.map((b) => b.branch);
  const head = el(
    'tr',
    {},
    el('th', { text: 'fix' }),
    m.branches.map((b) =>
      el(
        'th',
        { title: Object.entries(b.counts).map(([s, n]) => `${s}: ${n}`).join('\n') },
        el('a', { href: links.stable(b.branch), text: b.branch }),
        b.synced ? el('div', { class: 'meta', text: `git ${b.synced}` }) : null,
      ),
    ),
  );
  // A status no branch has would be a row of empty cells.
  const counts = STATUSES.filter((s) => m.branches.some((b) => b.counts[s])).map((s) =>
    el('tr', { class: 'counts' }, el('th', {}, el('a', { href: `#/stable?status=${enc(s)}`, text: s })), branches.map((b) => el('td', { class: 'meta', text: String(m.branches.find((x) => x.branch === b)?.counts[s] ?? '') }))),
  );
  const rows = m.fixes.map(({ fix, cells }) => {
    const key = fix.upstreamCommit ?? fix.patchMessageId ?? fix.key;
    return el(
      'tr',
      {},
      el('th', {}, el('a', { href: links.fix(key), text: fix.title })),
      branches.map((b) => {
        const c = cells[b];
        // a cell opens that branch's timeline: what made it wanted, queued, released
        return el(
          'td',
          c ? { title: `${c.status} since ${day(c.since, '')}; ${releaseText(c.release)}` } : {},
          c ? el('a', { href: links.fix(key, b), class: 'cell-link', 'aria-label': `${fix.title}: ${c.status} on ${b}, its timeline` }, badge(c.status)) : '',
        );
      }),
    );
  });
  fill(
    root,
    el('h1', { text: 'Stable branches' }),
    el('p', { class: 'meta', text: `${m.total} fixes${status ? ` with status ${status} on some branch` : ''} × ${branches.length} branches. Each cell is the latest decisive event on that branch; open a fix for its timeline.` }),
    // Its own class: the scenario page's .matrix widens its second column (here a branch).
    el('div', { class: 'scroll' }, el('table', { class: 'status-grid stable-matrix' }, el('thead', {}, head, counts), el('tbody', {}, rows))),
    m.total > m.fixes.length ? el('p', { class: 'muted', text: `Showing ${m.fixes.length} of ${m.total}.` }) : null,
  );
}

export async function stableView(root, { args, query }) {
  const branch = args[0] ?? '';
  if (!branch) return overview(root, query);
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : null;
  const params = new URLSearchParams({ limit: '200' });
  if (status) params.set('status', status);
  const r = await api(`/api/stable/${enc(branch)}?${params}`);
  const counts = r.counts ?? {};
  const filters = el(
    'p',
    { class: 'filters' },
    el('a', { href: links.stable(r.branch), class: status ? null : 'on', text: 'all' }),
    STATUSES.filter((s) => counts[s]).map((s) => [' · ', el('a', { href: links.stable(r.branch, s), class: status === s ? 'on' : null, text: `${s} (${counts[s]})` })]),
    ' · ',
    el('a', { href: '#/stable', text: 'every branch' }),
  );
  fill(
    root,
    el('h1', { text: `Stable ${r.branch}.y` }),
    filters,
    r.fixes.length
      ? table(
          ['fix', 'upstream', 'status', 'since', 'release', 'evidence'],
          r.fixes.map(({ fix, status: s }) => [
            el('a', { href: links.fix(fix.upstreamCommit ?? fix.patchMessageId ?? fix.key), text: fix.title }),
            fix.upstreamCommit ? el('code', { text: fix.upstreamCommit.slice(0, 12) }) : '',
            badge(s.status),
            day(s.since, ''),
            releaseText(s.release),
            el('span', {}, s.evidence.map((mid, i) => [i ? ' ' : '', el('a', { href: links.message(mid), text: `[${i + 1}]`, title: `<${mid}>` })])),
          ]),
          'stable',
        )
      : el('p', { class: 'muted', text: `No fixes seen for ${r.branch}${status ? ` with status ${status}` : ''}.` }),
    r.total > r.fixes.length ? el('p', { class: 'muted', text: `Showing ${r.fixes.length} of ${r.total}.` }) : null,
  );
}
