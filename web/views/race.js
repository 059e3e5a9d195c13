// #/race/<id>: a race read out of the mail. Every fact links to the sentence it was read
// from (the thread, scrolled to that block, highlighted); the mail's interleaving diagram
// as swimlanes; the proposed fixes as a table (kind, who, when, lifecycle, stances with
// objections first, stable status per branch, scenarios with expected verdicts and a run
// button); the family of threads; "copy evidence" for the race and for each fix.
// #/proposed/<fix id>: one proposed fix on its own.
import { api, badge, el, enc, fill, plural, section, when } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { fixEvidenceText, raceEvidenceText, reasonLabel, reasonsBySentence, stancesInOrder } from '../lib/evidence-text.js';
import { copyEvidence } from './copy-evidence.js';
import { expectCells } from './fix-links.js';

/** The sentence a fact was read from, as a link that lands on it. */
function evidenceLink(ev, text = ev.text, quoted = true) {
  if (!ev) return null;
  const to = links.threadAt(ev.messageId, ev.messageId, ev.block ?? undefined, ev.text);
  return el('a', { href: to, class: 'evidence-link', title: `<${ev.messageId}>${ev.block === null ? ' (subject)' : ` block ${ev.block}`}` }, quoted ? `“${text}”` : text);
}

/**
 * A diagram's evidence is its heading row ("CPU0 (writeback) CPU1 (write fault)"): quoted as
 * a sentence it reads as nonsense, so it is named as the diagram it heads.
 */
function reasonLink(g) {
  if (g.kinds.length === 1 && g.kinds[0] === 'interleaving-diagram') return evidenceLink(g.evidence, `the interleaving diagram: ${g.evidence.text}`, false);
  return evidenceLink(g.evidence);
}

function factRow(label, value, ev) {
  return el('tr', {}, el('th', { text: label }), el('td', {}, value, ev ? [' ', el('div', { class: 'because' }, evidenceLink(ev))] : null));
}

function termLinks(kind, xs) {
  if (!xs.length) return el('span', { class: 'muted', text: 'none named' });
  return xs.flatMap((x, i) => [i ? ', ' : '', el('a', { href: links.races({ [kind]: x }), text: x })]);
}

function summary(r) {
  return el(
    'table',
    { class: 'facts' },
    factRow('id', el('code', { class: 'race-id', text: r.id }), null),
    factRow('outcome', badge(r.outcome), r.outcomeEvidence),
    factRow('status', badge(r.status), r.statusEvidence),
    factRow('confidence', `${Math.round(r.confidence * 100)}%`, null),
    factRow('active', `${when(r.firstDate)} .. ${when(r.lastDate)}`, null),
    factRow('functions', termLinks('function', r.functions), null),
    factRow('files', termLinks('file', r.files), null),
    factRow('locks', termLinks('lock', r.locks), null),
    r.versions.length ? factRow('versions', r.versions.join(', '), null) : null,
    r.configs.length ? factRow('configs', r.configs.join(', '), null) : null,
  );
}

function reasonTag(kind) {
  const { label, title } = reasonLabel(kind);
  return el('span', { class: kind.startsWith('trap:') ? 'reason-kind against' : 'reason-kind', title, text: label });
}

function reasons(r) {
  if (!r.reasons.length) return null;
  return section(
    'Why it is a race',
    el(
      'ul',
      { class: 'reasons' },
      reasonsBySentence(r.reasons).map((g) =>
        el(
          'li',
          {},
          reasonLink(g),
          g.quotedFrom !== undefined ? el('span', { class: 'meta', text: ` (quoting ${g.quotedFrom || 'someone'})` }) : null,
          el(
            'div',
            { class: 'reason-kinds' },
            g.kinds.map(reasonTag),
            g.also.length
              ? el('span', { class: 'meta' }, ' also in ', g.also.map((e, i) => [i ? ', ' : '', el('a', { href: links.threadAt(e.messageId, e.messageId, e.block ?? undefined, e.text), title: `<${e.messageId}>`, text: `message ${i + 2}` })]))
              : null,
          ),
        ),
      ),
    ),
  );
}

/** The mail's interleaving diagram: one lane per column, steps in the order the mail gives them. */
function swimlanes(d) {
  if (!d) return null;
  return section(
    'Interleaving (from the mail)',
    el('p', { class: 'meta' }, 'Drawn from ', evidenceLink(d.evidence, 'the diagram in the mail'), '.'),
    el(
      'table',
      { class: 'lanes' },
      el('thead', {}, el('tr', {}, el('th', { text: '#' }), d.columns.map((c) => el('th', { text: c })))),
      el(
        'tbody',
        {},
        d.steps.map((s, i) =>
          el('tr', {}, el('td', { class: 'step-no', text: String(i + 1) }), d.columns.map((_, c) => el('td', { class: c === s.column ? 'step' : 'idle' }, c === s.column ? el('code', { text: s.text }) : null))),
        ),
      ),
    ),
  );
}

function stancesCell(f) {
  if (!f.stances.length) return el('span', { class: 'muted', text: 'none read' });
  return el(
    'ul',
    { class: 'plain stances' },
    stancesInOrder(f.stances).map((s) =>
      el(
        'li',
        { class: /objection|nacked|changes/.test(s.stance) ? 'objection' : null },
        el('strong', { text: s.stance }),
        ` ${s.author ?? 'unknown'}: `,
        evidenceLink(s.evidence),
      ),
    ),
  );
}

function scenariosCell(f) {
  if (!f.scenarios.length) return el('span', { class: 'muted', text: 'none' });
  return el(
    'ul',
    { class: 'plain' },
    f.scenarios.map((sc) =>
      sc.kind === 'explicit'
        ? el(
            'li',
            {},
            el('a', { href: links.scenario(sc.scenario), text: sc.title || sc.scenario }),
            ` variant ${sc.variant}`,
            expectCells(sc.scenario, sc.variant, sc.verdicts),
          )
        : el('li', { class: 'meta' }, el('a', { href: links.scenario(sc.scenario), text: sc.title || sc.scenario }), ` — ${sc.label}`),
    ),
  );
}

function stableCell(st) {
  if (!st) return el('span', { class: 'muted', text: '—' });
  const branches = Object.entries(st.branches).sort(([a], [b]) => b.localeCompare(a, undefined, { numeric: true }));
  if (!branches.length) return el('span', { class: 'muted', text: 'no stable mail' });
  return el('ul', { class: 'plain' }, branches.map(([b, s]) => el('li', {}, el('a', { href: links.stable(b), text: b }), ' ', badge(s.status), s.version ? ` ${s.version}` : '')));
}

/**
 * A stable copy's subject is the fix's own after its tags: the tags ("[PATCH AUTOSEL 6.10 3/7]",
 * "[PATCH 6.6 012/150]") are what tells the copies apart, so they are the link's text.
 */
function copyLabel(subject) {
  const tags = (subject.match(/^(?:\s*\[[^\]]*\])+/)?.[0] ?? '').match(/\[[^\]]*\]/g) ?? [];
  const own = tags.filter((t) => /patch|autosel|stable|\d+\.\d+/i.test(t));
  return own.length ? own.join(' ') : subject;
}

/** The fix mailed again for stable (AUTOSEL, a review series), each copy linked. */
function copiesList(f) {
  const heads = f.copyHeads;
  if (!heads.length) return null;
  return el(
    'div',
    { class: 'copies meta' },
    `stable ${heads.length === 1 ? 'copy' : 'copies'}: `,
    heads.map((c, i) => [
      i ? ', ' : '',
      el('a', { href: links.threadAt(c.messageId, c.messageId), title: `${c.subject} (${c.from ?? 'unknown'}, ${when(c.date)})`, text: c.subject ? copyLabel(c.subject) : `<${c.messageId}>` }),
    ]),
  );
}

function fixRow(f) {
  return [
    el(
      'div',
      { id: `fix-${f.id}` },
      el('a', { href: links.proposed(f.id), text: f.summary || f.id }),
      el('div', { class: 'meta', text: `${f.kind}${f.version ? ` v${f.version}` : ''}${f.wip ? ' (work in progress)' : ''}` }),
      copiesList(f),
    ),
    el('div', {}, f.author ?? 'unknown', el('div', { class: 'meta' }, el('a', { href: links.threadAt(f.messageId, f.messageId, f.evidence.block ?? undefined), text: when(f.date) }))),
    el('div', {}, badge(f.lifecycle), f.lifecycleEvidence ? el('div', { class: 'because' }, evidenceLink(f.lifecycleEvidence)) : null, f.supersededBy ? el('div', { class: 'meta' }, 'by ', el('a', { href: links.proposed(f.supersededBy), text: 'a later version' })) : null),
    stancesCell(f),
    stableCell(f.stable),
    scenariosCell(f),
  ];
}

const FIX_HEADERS = ['fix', 'who, when', 'lifecycle', 'stances (objections first)', 'stable', 'scenarios'];
/** Past this many fixes, the superseded ones (each links to its later version) start folded. */
const FOLD_SUPERSEDED_OVER = 12;

function fixesTable(r) {
  if (!r.fixes.length) return section('Proposed fixes', el('p', { class: 'muted', text: 'No fix was proposed in these threads.' }));
  // A column no fix fills would be a column of dashes down a long table: said once instead.
  const withStable = r.fixes.some((f) => f.stable);
  const withScenarios = r.fixes.some((f) => f.scenarios.length);
  const keep = (_, i) => (i === 4 ? withStable : i === 5 ? withScenarios : true);
  const missing = [withStable ? null : 'stable mail', withScenarios ? null : 'a simulator scenario'].filter(Boolean);
  const superseded = r.fixes.length > FOLD_SUPERSEDED_OVER ? r.fixes.filter((f) => f.lifecycle === 'superseded').length : 0;
  const rows = r.fixes.map((f) => el('tr', { hidden: superseded > 0 && f.lifecycle === 'superseded' }, fixRow(f).filter(keep).map((c) => el('td', {}, c))));
  const unfold = superseded
    ? el(
        'p',
        { class: 'meta' },
        `${superseded} superseded versions are folded (each links to its later version): `,
        el('button', {
          type: 'button',
          class: 'linkish',
          text: 'show them',
          onclick: (ev) => {
            for (const tr of rows) tr.hidden = false;
            ev.currentTarget.parentElement.remove();
          },
        }),
      )
    : null;
  return section(
    'Proposed fixes',
    unfold,
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        { class: 'fixes' },
        el('thead', {}, el('tr', {}, FIX_HEADERS.filter(keep).map((h) => el('th', { text: h })))),
        el('tbody', {}, rows),
      ),
    ),
    missing.length ? el('p', { class: 'meta', text: `No fix here has ${missing.join(' or ')}.` }) : null,
  );
}

/** One thread of the family: what it is about, who started it, when, how big; the first is where it was reported. */
function threadItem(t, i) {
  const n = t.messages;
  const focus = t.focus;
  return el(
    'li',
    {},
    el('a', { href: links.thread(t.root), text: t.subject || `<${t.root}>` }),
    i === 0 ? el('span', { class: 'meta', text: ' — where it was reported' }) : null,
    el('div', { class: 'meta', text: `${t.from ?? 'unknown'}, ${when(t.date)}${t.lastDate && when(t.lastDate) !== when(t.date) ? ` .. ${when(t.lastDate)}` : ''}, ${plural(n, 'message', 'messages')}` }),
    focus
      ? el('div', { class: 'meta' }, 'the race’s part of it: ', el('a', { href: links.threadAt(t.root, focus.messageId), text: focus.subject || `<${focus.messageId}>` }), ` ${focus.from ?? 'unknown'}, ${when(focus.date)}`)
      : null,
  );
}

function family(r) {
  return section(`Threads (${r.threadHeads.length})`, el('ol', { class: 'threads' }, r.threadHeads.map(threadItem)));
}

export async function raceView(root, { args }) {
  const r = await api(`/api/races/${enc(args[0] ?? '')}`);
  // Opened by an abbreviated id (an old 8-digit one, say): the address bar gets the full id,
  // to copy and share, without a hashchange that would render the page again; not once the
  // reader has gone on elsewhere (a detached root), whose address it would overwrite.
  if (args[0] !== r.id && root.isConnected) history.replaceState(null, '', links.race(r.id));
  fill(
    root,
    el('h1', { text: r.title }),
    el('p', { class: 'actions' }, el('a', { href: links.races(), text: 'all races' })),
    copyEvidence(raceEvidenceText(r)),
    summary(r),
    reasons(r),
    swimlanes(r.diagram),
    fixesTable(r),
    family(r),
  );
}

export async function proposedFixView(root, { args }) {
  // One request: the fix carries its stable status, its race what the evidence text needs.
  const { race, fix: f } = await api(`/api/fixes/${enc(args[0] ?? '')}`);
  fill(
    root,
    el('h1', { text: f.summary || f.id }),
    el('p', { class: 'actions' }, 'proposed for ', el('a', { href: links.race(race.id), text: race.title }), ' ', badge(race.outcome), badge(race.status)),
    copyEvidence(fixEvidenceText(race, f), 'evidence'),
    el(
      'table',
      { class: 'facts' },
      factRow('kind', f.kind, f.evidence),
      factRow('who', f.author ?? 'unknown', null),
      factRow('when', when(f.date), null),
      factRow('lifecycle', badge(f.lifecycle), f.lifecycleEvidence),
      factRow('functions', f.functions.join(', ') || '—', null),
      factRow('files', f.files.join(', ') || '—', null),
    ),
    section('Stances', stancesCell(f)),
    section('Stable branches', f.stable ? stableCell(f.stable) : el('p', { class: 'muted', text: 'No stable mail names it.' }), copiesList(f)),
    section('Simulator scenarios', scenariosCell(f)),
  );
}
