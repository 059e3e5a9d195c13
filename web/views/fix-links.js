// "Which simulator scenarios model the fix proposed here, and what did they find?":
// /api/messages/:mid/scenarios as a panel for the message and thread pages.
import { api, badge, el, section, table } from '../lib/dom.js';
import { links } from '../lib/router.js';
import { simCommand } from '../lib/evidence-text.js';

const HOW = {
  'message-id': 'names this message',
  subject: 'quotes its subject',
  thread: 'names a message of this thread',
};

/** A variant's expected verdict per config, each with the button that runs it (the CLI command as its title). */
export function expectCells(id, variant, expect) {
  if (!expect.length) return el('span', { class: 'muted', text: 'no expectation' });
  return el(
    'ul',
    { class: 'plain verdicts' },
    expect.map((x) =>
      el('li', {}, badge(x.verdict), ` ${x.config}${x.property ? ` (${x.property})` : ''} `, el('a', { class: 'button', href: links.run(id, variant, x.config), title: simCommand(id, variant, x.config), text: 'run' })),
    ),
  );
}

export function fixLinksNode(r) {
  const parts = [];
  if (r.fixes.length) {
    parts.push(
      table(
        ['scenario', 'variant (proposed fix)', 'how it is linked', 'expected'],
        r.fixes.map((f) => [
          el('a', { href: links.scenario(f.scenario), text: f.title || f.scenario }),
          el('div', {}, el('strong', { text: f.variant }), el('div', { class: 'fixtext', text: f.fix }), f.description ? el('div', { class: 'meta', text: f.description }) : null),
          el('span', {}, `${HOW[f.match] ?? f.match}`, f.via !== r.messageId ? el('div', {}, el('a', { href: links.message(f.via), class: 'mid', text: `<${f.via}>` })) : null),
          expectCells(f.scenario, f.variant, f.expect),
        ]),
        'links',
      ),
    );
  }
  if (r.discussedIn.length) {
    parts.push(
      el(
        'p',
        {},
        'Race modelled in: ',
        r.discussedIn.flatMap((d, i) => [i ? ', ' : '', el('a', { href: links.scenario(d.scenario), text: d.title || d.scenario }), d.match === 'thread' ? ' (cites this thread)' : d.match === 'subject' ? ' (by subject)' : '']),
      ),
    );
  }
  // Mail that no scenario concerns gets no panel: most of an archive is not about a race.
  if (!parts.length) return null;
  return section('Simulator scenarios', ...parts);
}

export async function fixLinks(mid) {
  return fixLinksNode(await api(`/api/messages/${encodeURIComponent(mid)}/scenarios`));
}
