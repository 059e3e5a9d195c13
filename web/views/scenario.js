// #/s/<id> and #/s/<id>/run/<variant>/<config>: a scenario's variants (the fixes they
// model, linked to the mails in the archive) x configs with the expected verdicts, and a
// run of the explorer: verdict, the witness as a step table, the wait-for cycle of a
// deadlock, and the steps no interleaving reached.
import { api, badge, el, enc, errorNode, section, table, when, who, fill } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { simCommand } from '../lib/evidence-text.js';

function expected(s, variant, config) {
  return s.expect.find((x) => x.variant === variant && x.config === config) ?? null;
}

/** Messages shown per fix: the API puts the one it names, then originals, before replies. */
const SHOWN = 3;

function fixCell(v, linked) {
  if (!v.fix) return el('span', { class: 'muted', text: 'the code as it is' });
  const msgs = linked?.messages ?? [];
  return el(
    'div',
    {},
    el('div', { class: 'fixtext', text: v.fix }),
    v.description ? el('div', { class: 'meta', text: v.description }) : null,
    msgs.length
      ? el(
          'ul',
          { class: 'plain found' },
          msgs.slice(0, SHOWN).map((m) => el('li', {}, el('a', { href: links.message(m.messageId), text: m.subject || `<${m.messageId}>` }), el('span', { class: 'meta', text: ` ${who(m.from)}, ${when(m.date)}` }))),
          msgs.length > SHOWN ? el('li', { class: 'meta', text: `and ${msgs.length - SHOWN} more (replies with this subject)` }) : null,
        )
      : el('div', { class: 'meta', text: 'not in this archive' }),
  );
}

function matrix(s, linksBody, current) {
  const byVariant = new Map((linksBody?.variants ?? []).map((v) => [v.variant, v]));
  return table(
    ['variant', 'fix it models', ...s.configs.map((c) => c.name)],
    s.variants.map((v) => [
      el('strong', { text: v.name }),
      fixCell(v, byVariant.get(v.name)),
      ...s.configs.map((c) => {
        const x = expected(s, v.name, c.name);
        const on = current && current.variant === v.name && current.config === c.name;
        return el(
          'div',
          { class: on ? 'cell on' : 'cell' },
          x ? el('div', {}, 'expected ', badge(x.verdict), x.property ? el('span', { class: 'meta', text: ` ${x.property}` }) : null) : el('div', { class: 'muted', text: 'no expectation' }),
          el('a', { href: links.run(s.id, v.name, c.name), class: 'button', text: on ? 'run again' : 'run' }),
        );
      }),
    ]),
    'matrix',
  );
}

function sources(s, linksBody) {
  if (!s.source.length) return null;
  const found = linksBody?.sources ?? s.source.map((source) => ({ source, messages: [] }));
  return el(
    'ul',
    { class: 'plain' },
    found.map(({ source, messages }) => {
      const m = messages[0];
      if (!m) return el('li', {}, el('span', { text: source }), el('span', { class: 'meta', text: ' (not in this archive)' }));
      return el('li', {}, el('a', { href: links.message(m.messageId), text: m.subject || source }), el('span', { class: 'meta', text: ` ${who(m.from)}, ${when(m.date)}` }));
    }),
  );
}

/** Witnesses longer than this show their first and last steps, the middle one click away. */
const FOLD_OVER = 16;
const HEAD = 3;
const TAIL = 10;

/**
 * The witness as swimlanes: a column per thread in the order they first step, each step
 * in its thread's lane with the state it changed beside it; the last step is the one that
 * broke the property (or closed the wait-for cycle) and is marked so.
 */
function witnessLanes(w, r) {
  const threads = [...new Set(w.map((st) => st.thread))];
  const breaking = r.verdict === 'violated' ? `breaks ${r.property ?? 'the property'}` : r.verdict === 'deadlock' ? 'closes the wait-for cycle' : null;
  const row = (st, i) => {
    const last = i === w.length - 1 && breaking;
    return el(
      'tr',
      { class: last ? 'breaking' : null },
      el('td', { class: 'step-no', text: String(i + 1) }),
      threads.map((t) =>
        el(
          'td',
          { class: t === st.thread ? 'step' : 'idle' },
          t === st.thread ? [el('div', { text: `${st.step}${st.branch ? ` [${st.branch}]` : ''}` }), el('code', { text: st.function }), el('span', { class: 'meta', text: ` ${st.file}` })] : null,
        ),
      ),
      el('td', { class: 'changes' }, st.changes.join(', '), last ? el('div', { class: 'breaks', text: `← ${breaking}` }) : null),
    );
  };
  const rows = w.map(row);
  const body = el('tbody', {});
  const foldRow = (hidden, text) => {
    const more = el(
      'tr',
      { class: 'fold' },
      el('td', { colspan: String(threads.length + 2) }, el('button', { type: 'button', class: 'linkish', text, onclick: () => more.replaceWith(...hidden) })),
    );
    return more;
  };
  // The run's story (sim/story.ts) names the steps the failure depends on: a long witness
  // shows those and folds each stretch of the others, rather than folding its middle
  // whatever happens there.
  const story = r.outcomes?.[0]?.property === r.property ? r.outcomes[0].story : null;
  if (w.length > FOLD_OVER && story) {
    const shown = new Set(story.shown);
    if (story.breaking !== undefined) shown.add(story.breaking);
    shown.add(w.length - 1);
    for (let i = 0; i < w.length; ) {
      if (shown.has(i)) {
        body.append(rows[i]);
        i++;
        continue;
      }
      let j = i;
      while (j < w.length && !shown.has(j)) j++;
      const hidden = rows.slice(i, j);
      if (hidden.length === 1) body.append(...hidden);
      else body.append(foldRow(hidden, `show ${hidden.length} steps (${i + 1}–${j}) that touch nothing the failure depends on`));
      i = j;
    }
  } else if (w.length > FOLD_OVER) {
    const hidden = rows.slice(HEAD, w.length - TAIL);
    body.append(...rows.slice(0, HEAD), foldRow(hidden, `show ${hidden.length} more steps (${HEAD + 1}–${w.length - TAIL})`), ...rows.slice(w.length - TAIL));
  } else body.append(...rows);
  return el(
    'table',
    { class: 'lanes witness' },
    el('thead', {}, el('tr', {}, el('th', { text: '#' }), threads.map((t) => el('th', { text: t })), el('th', { text: 'state changes' }))),
    body,
  );
}

/**
 * The state the witness ends in: where each thread stopped and every value, the ones the
 * failure reads marked and repeated first, with the failed expression, so the reader sees
 * the values that failed without adding up the changes step by step.
 */
function finalState(o) {
  const failed = o.final.filter((f) => f.failed);
  const why = o.story.failed?.text ?? (o.verdict === 'deadlock' ? 'what the stuck threads wait for' : o.message);
  const item = (f) => el('li', { class: f.failed ? 'failed' : null }, el('code', { text: f.name }), ' = ', el('strong', { text: f.value }));
  return [
    el('h3', { text: 'State at the end of the witness' }),
    el(
      'p',
      { class: 'final-why' },
      o.verdict === 'deadlock' ? 'Stuck: ' : 'Fails: ',
      el('code', { text: why }),
      failed.length ? [' · read by the failure: ', failed.map((f, i) => [i ? ', ' : '', el('code', { text: `${f.name} = ${f.value}` })])] : null,
    ),
    el('ul', { class: 'final-state' }, o.final.map(item)),
    el('p', { class: 'meta', text: 'Marked: the values the failure reads. Every thread, variable, folio field and lock holder is listed as the last step left it.' }),
  ];
}

function waitForNode(edges) {
  return el('ol', { class: 'cycle' }, edges.map((e) => el('li', {}, el('strong', { text: e.thread }), ` waits for ${e.waitsFor}, held by `, el('strong', { text: e.heldBy.join(', ') || 'nobody' }))));
}

export function runNode(s, r) {
  const x = expected(s, r.variant, r.config);
  const agrees = x ? x.verdict === r.verdict && (!x.property || x.property === r.property) : null;
  return section(
    `Run: ${r.variant} × ${r.config}`,
    el(
      'p',
      { class: 'verdict' },
      badge(r.verdict),
      r.property ? el('span', {}, ' property ', el('code', { text: r.property })) : null,
      el('span', { class: 'meta', text: ` · ${r.states} states, ${r.transitions} transitions, ${r.ms} ms${r.bound ? ` · stopped: ${r.bound}` : ''}` }),
    ),
    x ? el('p', { class: agrees ? 'ok' : 'error', text: agrees ? `As expected: ${x.why}` : `Expected ${x.verdict}${x.property ? ` (${x.property})` : ''}: ${x.why}` }) : null,
    r.witness.length ? [el('h3', { text: 'Witness (replays to this verdict)' }), witnessLanes(r.witness, r)] : null,
    // The first outcome is the verdict's own (same property, same witness).
    r.outcomes?.[0]?.final ? finalState(r.outcomes[0]) : null,
    r.waitFor && r.waitFor.length ? [el('h3', { text: 'Wait-for cycle' }), waitForNode(r.waitFor)] : null,
    r.unreached.length
      ? [
          el('h3', { text: r.verdict === 'holds' ? 'Steps no interleaving reached' : 'Steps not reached before the search stopped' }),
          // After a counterexample (or a bound) the search stops: what it did not reach it never tried.
          r.verdict !== 'holds'
            ? el('p', { class: 'meta', text: `The search stopped at the first ${r.verdict === 'incomplete' ? 'bound it hit' : 'counterexample'}: these steps were not searched, so not reaching them says nothing about whether they can run.` })
            : el('p', { class: 'meta', text: 'The search covered every interleaving: no interleaving reaches these steps.' }),
          el('p', { class: 'unreached' }, r.unreached.map((u, i) => [i ? ', ' : '', el('code', { text: u })])),
        ]
      : null,
    el('p', { class: 'meta' }, 'Reproduce: ', el('code', { text: simCommand(r.scenario, r.variant, r.config) })),
  );
}

function properties(s) {
  if (!s.properties.length) return null;
  return table(['kind', 'name', 'expression', 'says'], s.properties.map((p) => [p.kind, p.name, el('code', { text: p.expr }), p.says]), 'props');
}

export async function scenarioView(root, { args }) {
  const id = args[0] ?? '';
  const current = args[1] === 'run' && args[2] && args[3] ? { variant: args[2], config: args[3] } : null;
  const [s, linksBody] = await Promise.all([api(`/api/scenarios/${enc(id)}`), api(`/api/scenarios/${enc(id)}/links`).catch(() => null)]);
  const runSlot = el('div', { class: 'run' });
  const description = s.description ? el('p', { class: 'description', text: s.description }) : null;
  // A run link opens on its result; the model's description follows the matrix then.
  fill(root, 
    el('h1', { text: s.title || s.id }),
    el('p', { class: 'meta' }, el('a', { href: links.scenarios(), text: 'all scenarios' }), ` · ${s.id}`),
    current ? runSlot : description,
    section('Proposed fixes × configurations', el('div', { class: 'scroll' }, matrix(s, linksBody, current))),
    current ? section('The race', description) : null,
    s.source.length ? section('Where the race is argued', sources(s, linksBody)) : null,
    section('Properties', properties(s)),
    s.kernelRefs.length ? section('Kernel functions modelled', el('p', {}, s.kernelRefs.map((k, i) => [i ? ', ' : '', el('code', { text: k })]))) : null,
  );
  if (current) {
    fill(runSlot, el('p', { class: 'status', role: 'status', text: `running ${current.variant} × ${current.config}…` }));
    try {
      const r = await api(`/api/scenarios/${enc(id)}/run?${new URLSearchParams(current)}`);
      fill(runSlot, runNode(s, r));
    } catch (e) {
      fill(runSlot, errorNode(e));
    }
  }
}
