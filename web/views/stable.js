// #/stable/<branch>?status= : every fix seen for one stable branch, filterable by status.
import { api, badge, el, enc, table, fill } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { STATUSES } from './fix-status.js';

export async function stableView(root, { args, query }) {
  const branch = args[0] ?? '';
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
  );
  fill(root, 
    el('h1', { text: `Stable ${r.branch}.y` }),
    filters,
    r.fixes.length
      ? table(
          ['fix', 'upstream', 'status', 'version', 'evidence'],
          r.fixes.map(({ fix, status: s }) => [
            el('a', { href: links.fix(fix.upstreamCommit ?? fix.patchMessageId ?? fix.key), text: fix.title }),
            fix.upstreamCommit ? el('code', { text: fix.upstreamCommit.slice(0, 12) }) : '',
            badge(s.status),
            s.version ?? '',
            el('span', {}, s.evidence.map((mid, i) => [i ? ' ' : '', el('a', { href: links.message(mid), text: `[${i + 1}]`, title: `<${mid}>` })])),
          ]),
          'stable',
        )
      : el('p', { class: 'muted', text: `No fixes seen for ${r.branch}${status ? ` with status ${status}` : ''}.` }),
    r.total > r.fixes.length ? el('p', { class: 'muted', text: `Showing ${r.fixes.length} of ${r.total}.` }) : null,
  );
}
