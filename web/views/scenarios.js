// #/scenarios: every race scenario with its proposed fixes; files that do not load say why.
import { api, el, table, fill } from '../lib/dom.js';
import { links } from '../lib/router.js';

export async function scenariosView(root) {
  const { scenarios } = await api('/api/scenarios');
  fill(root, 
    el('h1', { text: 'Race scenarios' }),
    el('p', { class: 'muted', text: 'Each scenario models a race argued on the list; its variants are the proposed fixes, run by the interleaving explorer.' }),
    table(
      ['scenario', 'proposed fixes', 'configs', 'expected verdicts'],
      scenarios.map((s) => [
        el('div', {}, el('a', { href: links.scenario(s.id), text: s.title || s.id }), el('div', { class: 'meta', text: s.file }), s.error ? el('div', { class: 'error', text: s.error }) : null),
        el('ul', { class: 'plain' }, s.variants.filter((v) => v.fix).map((v) => el('li', {}, el('strong', { text: v.name }), el('span', { class: 'fixtext', text: ` ${v.fix}` })))),
        s.configs.map((c) => c.name).join(', '),
        String(s.expectations),
      ]),
      'scenarios',
    ),
  );
}
