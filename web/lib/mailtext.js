// A message body as its reply structure (/api/messages/:mid/structure): own text in full,
// quotes folded to their first lines and set apart by depth, attribution lines, diffs with
// file headers, +/- lines and hunk headers as anchors, trailers set apart. Every line
// enters the page as a text node.
import { el } from './dom.js';

/** A subject without its Re:/Fwd: prefixes, lower-cased: a reply that keeps its parent's shows only who and when. */
export const baseSubject = (subject) => (subject || '').replace(/^\s*((re|fwd?|aw|sv)\s*:\s*)+/i, '').trim().toLowerCase();

/** A line without its quote markers ('>', '> >', '>>' and one space after), as the server reads them. */
function unquote(line) {
  const m = /^(?:[ \t]?>)+[ \t]?/.exec(line);
  return m && m[0].includes('>') ? line.slice(m[0].length) : line;
}

/**
 * The blocks with their lines as written: the structure's own text joins a paragraph's
 * lines into one (for matching sentences), a diffstat or a list needs them apart. Falls
 * back to the structure's text when the body's lines are not the ones it counted
 * (restored line breaks, a body cut for size).
 */
function withLines(body, structure) {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  if (structure.restored || lines.length !== structure.lines) return structure.blocks;
  return structure.blocks.map((b) => ({ ...b, text: lines.slice(b.start, b.end + 1).map(unquote).join('\n') }));
}

/** Quoted lines shown before "show N quoted lines". */
const QUOTE_HEAD = 3;

/** Kernel trailers (Signed-off-by:, Reviewed-by:, Fixes:, Link:, Closes:, Cc:) end a patch's own text. */
const TRAILER = /^(?:[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-by|Fixes|Link|Closes|Cc|Reported|Suggested|BugLink):\s+\S/;

/** Splits an own block into its paragraphs and the trailer lines at its end. */
function splitTrailers(text) {
  const lines = text.split('\n');
  let i = lines.length;
  while (i > 0 && (TRAILER.test(lines[i - 1]) || (lines[i - 1].trim() === '' && i < lines.length))) i--;
  // A single "Cc:" line inside prose is not a trailer block.
  const tail = lines.slice(i).filter((l) => l.trim() !== '');
  if (tail.length === 0 || (tail.length === 1 && !/-by:|^Fixes:/.test(tail[0]))) return { text, trailers: [] };
  return { text: lines.slice(0, i).join('\n').replace(/\n+$/, ''), trailers: tail };
}

function lineClass(line) {
  if (/^(diff --git |index [0-9a-f]+\.\.|--- |\+\+\+ |new file mode|deleted file mode|similarity index|rename (from|to) )/.test(line)) return 'd-file';
  if (line.startsWith('@@')) return 'd-hunk';
  if (line.startsWith('+')) return 'd-add';
  if (line.startsWith('-')) return 'd-del';
  return 'd-ctx';
}

/** A diff, line by line; each hunk header is an anchor (id prefix + hunk number) whose link hrefOf(n) gives. */
function diffNode(text, idPrefix, hrefOf = () => null) {
  let hunk = 0;
  const pre = el('pre', { class: 'diff' });
  for (const line of text.split('\n')) {
    const cls = lineClass(line);
    if (cls === 'd-hunk') {
      hunk++;
      const id = `${idPrefix}-h${hunk}`;
      pre.append(el('a', { class: 'd-line d-hunk', id, href: hrefOf(hunk), 'data-hunk': '', text: line }), '\n');
    } else {
      pre.append(el('span', { class: `d-line ${cls}`, text: line }), '\n');
    }
  }
  return pre;
}

function foldedQuote(block, attrs, joined = '') {
  const lines = block.text.split('\n');
  const depth = Math.min(Math.max(block.depth, 1), 4);
  const q = el('blockquote', { ...attrs, class: `q q${depth}${joined}` });
  if (lines.length <= QUOTE_HEAD + 1) {
    q.append(el('pre', { class: 'qtext', text: block.text }));
    return q;
  }
  const head = el('pre', { class: 'qtext', text: lines.slice(0, QUOTE_HEAD).join('\n') });
  const rest = el('pre', { class: 'qtext', hidden: true, text: lines.slice(QUOTE_HEAD).join('\n') });
  const more = lines.length - QUOTE_HEAD;
  const toggle = el('button', {
    type: 'button',
    class: 'linkish unfold',
    text: `show ${more} quoted line${more === 1 ? '' : 's'}`,
    onclick: () => {
      rest.hidden = !rest.hidden;
      toggle.textContent = rest.hidden ? `show ${more} quoted line${more === 1 ? '' : 's'}` : 'fold quote';
    },
  });
  q.append(head, rest, toggle);
  return q;
}

/** A diffstat line (" fs/f2fs/data.c | 11 +++---", " 3 files changed, 9 insertions(+)"). */
const DIFFSTAT = /^\s*\S.*\s\|\s+(\d+|Bin\b)|^\s*\d+ files? changed\b/;
/** Diffstats longer than this are folded: a cover letter's 120 files would fill the first screen. */
const DIFFSTAT_SHOWN = 12;

/**
 * Text as a <pre> of the class given, with each long diffstat in it folded to one line
 * (its "N files changed" line) that opens to the whole of it.
 */
function textWithDiffstats(text, cls) {
  const lines = text.split('\n');
  const out = [];
  let from = 0;
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && DIFFSTAT.test(lines[j])) j++;
    if (j - i > DIFFSTAT_SHOWN) {
      if (i > from) out.push(el('pre', { class: cls, text: lines.slice(from, i).join('\n') }));
      out.push(el('details', { class: 'diffstat' }, el('summary', { text: `diffstat: ${/files? changed/.test(lines[j - 1]) ? lines[j - 1].trim() : `${j - i} lines`}` }), el('pre', { class: cls, text: lines.slice(i, j).join('\n') })));
      from = j;
    }
    i = Math.max(j, i + 1);
  }
  if (from === 0) return el('pre', { class: cls, text });
  if (from < lines.length) out.push(el('pre', { class: cls, text: lines.slice(from).join('\n') }));
  return out;
}

/** Unfolds whatever hides a node (a folded quote, a closed signature) so a link can land on it. */
export function reveal(node) {
  for (let n = node; n; n = n.parentElement) {
    if (n.tagName === 'DETAILS') n.open = true;
    if (n.classList?.contains('q')) {
      for (const p of n.querySelectorAll('pre[hidden]')) p.hidden = false;
      const b = n.querySelector('button.unfold');
      if (b) b.textContent = 'fold quote';
    }
  }
}

/** The blocks of one message; each gets id `${idPrefix}-b${index}` so evidence can point at it; hrefOf(block) links one. */
function blocksNode(blocks, idPrefix, hrefOf = () => null) {
  const out = el('div', { class: 'blocks' });
  blocks.forEach((b, i) => {
    // A block that starts on the line after the previous one ends (a diagram read as prose
    // and code by turns) sits flush against it, as in the mail; a blank line leaves a gap.
    const prev = blocks[i - 1];
    const joined = prev !== undefined && b.start === prev.end + 1 ? ' joined' : '';
    const attrs = { id: `${idPrefix}-b${i}`, 'data-block': String(i) };
    if (b.kind === 'quote') out.append(foldedQuote(b, attrs, joined));
    else if (b.kind === 'attribution') out.append(el('p', { ...attrs, class: `attribution${joined}`, text: b.text }));
    else if (b.kind === 'diff') out.append(el('div', { ...attrs, class: `diffblock${joined}` }, diffNode(b.text, `${idPrefix}-b${i}`, () => hrefOf(i))));
    else if (b.kind === 'code') out.append(el('pre', { ...attrs, class: `code${joined}`, text: b.text }));
    else if (b.kind === 'signature') out.append(el('details', { ...attrs, class: 'sig' }, el('summary', { text: 'signature' }), el('pre', { text: b.text })));
    else {
      // A patch's own text ends at '---': trailers above it, the diffstat and notes below.
      const lines = b.text.split('\n');
      const cut = lines.indexOf('---');
      const { text, trailers } = splitTrailers(cut < 0 ? b.text : lines.slice(0, cut).join('\n'));
      out.append(
        el(
          'div',
          { ...attrs, class: `own${joined}` },
          text ? textWithDiffstats(text, 'owntext') : null,
          trailers.length ? el('ul', { class: 'trailer-lines', 'aria-label': 'trailers' }, trailers.map((t) => el('li', { text: t }))) : null,
          cut >= 0 ? textWithDiffstats(lines.slice(cut).join('\n'), 'notes') : null,
        ),
      );
    }
  });
  return out;
}

/**
 * A message body as its structure (/api/messages/:mid/structure); the plain text where the
 * structure is missing (its request failed) or empty.
 */
export function bodyNode(body, structure, idPrefix, hrefOf) {
  if (structure?.blocks?.length) return blocksNode(withLines(body, structure), idPrefix, hrefOf);
  return body.trim() ? el('pre', { class: 'body', text: body }) : el('p', { class: 'muted', text: '(empty body)' });
}
