// "copy evidence": a button that puts the plain text on the clipboard, and the same text
// shown beside it (the clipboard needs a secure context; the text is there to select).
import { el } from '../lib/dom.js';

export function copyEvidence(text, what = 'evidence') {
  const status = el('span', { class: 'meta', role: 'status' });
  const box = el('pre', { class: 'evidence-text', text });
  const button = el('button', {
    type: 'button',
    class: 'copy',
    text: `copy ${what}`,
    onclick: async () => {
      details.open = true;
      try {
        await navigator.clipboard.writeText(text);
        status.textContent = ' copied';
      } catch {
        // No clipboard (plain http, permissions): select the text for Ctrl+C.
        const range = document.createRange();
        range.selectNodeContents(box);
        const sel = window.getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        status.textContent = ' selected: press Ctrl+C';
      }
    },
  });
  const details = el('details', { class: 'evidence' }, el('summary', {}, `${what} as plain text`), box);
  return el('div', { class: 'copy-evidence' }, button, status, details);
}
