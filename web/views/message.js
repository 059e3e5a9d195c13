// #/m/<mid>: one message with everything a reviewer needs around it: its thread, the
// scenarios modelling the fix it proposes, its series and its stable status. The body is
// the decoded text part, shown as text.
import { api, apiOptional, el, enc, errorNode, section, when, whoFull, fill } from '../lib/dom.js';
import { messageEvidenceText } from '../lib/evidence-text.js';
import { copyEvidence } from './copy-evidence.js';
import { bodyNode } from '../lib/mailtext.js';
import { links } from '../lib/router.js';
import { threadTree } from './thread-tree.js';
import { fixLinks } from './fix-links.js';
import { seriesSummary } from './series.js';
import { fixStatusTable } from './fix-status.js';
import { raceList } from './races.js';

function headerRows(m) {
  const rows = [
    ['From', whoFull(m.from)],
    ['To', m.to.map(whoFull).join(', ')],
    ['Cc', m.cc.map(whoFull).join(', ')],
    ['Date', `${when(m.date)}${m.dateSource && m.dateSource !== 'date' ? ` (${m.dateSource === 'none' ? 'no usable Date header' : `taken from ${m.dateSource}`})` : ''}`],
    ['Message-ID', `<${m.messageId}>${m.messageIdSynthesized ? ' (synthesized: the mail had none)' : ''}`],
    ['In-Reply-To', m.inReplyTo ? el('a', { href: links.message(m.inReplyTo), text: `<${m.inReplyTo}>` }) : ''],
    ['List-Id', m.listId ?? ''],
  ];
  return el(
    'table',
    { class: 'headers' },
    rows.filter(([, v]) => v !== '').map(([k, v]) => el('tr', {}, el('th', { text: k }), el('td', {}, v))),
  );
}

/** Two different mails can share a Message-ID; each stored copy has its own page. */
function copyLinks(m) {
  return Array.from({ length: Math.min(m.copies, 20) }, (_, i) => [
    i ? ' ' : '',
    i === m.copy ? el('strong', { text: String(i + 1) }) : el('a', { href: `${links.message(m.messageId)}?copy=${i}`, text: String(i + 1) }),
  ]);
}

function downloads(m) {
  const mid = enc(m.messageId);
  const copy = m.copies > 1 ? `?copy=${m.copy}` : '';
  return el(
    'p',
    { class: 'actions' },
    el('a', { href: `/api/messages/${mid}/raw${copy}`, text: 'raw' }),
    ' · ',
    el('a', { href: `/api/threads/${mid}/mbox`, text: 'thread mbox' }),
    ' · ',
    el('a', { href: `/api/threads/${mid}/mbox?gz=1`, text: 'mbox.gz' }),
    m.copies > 1 ? [' · stored copies: ', copyLinks(m)] : '',
  );
}

/** A failing side panel must not take the message down with it. */
async function panel(promise) {
  try {
    return await promise;
  } catch (e) {
    return errorNode(e);
  }
}

export async function messageView(root, { args, query }) {
  const mid = args[0] ?? '';
  const copy = Number(query.get('copy')) || 0;
  const [m, thread] = await Promise.all([api(`/api/messages/${enc(mid)}${copy ? `?copy=${copy}` : ''}`), apiOptional(`/api/threads/${enc(mid)}`)]);
  const [scenarios, series, status, structure] = await Promise.all([
    panel(fixLinks(m.messageId)),
    panel(apiOptional(`/api/series/${enc(m.messageId)}?optional=1`).then((s) => (s ? seriesSummary(s, m.messageId) : null))),
    panel(apiOptional(`/api/fix-status/${enc(m.messageId)}?optional=1`).then((f) => (f ? section('Stable branches', fixStatusTable(f), el('p', {}, el('a', { href: links.fix(m.messageId), text: 'the fix on its own page' }))) : null))),
    api(`/api/messages/${enc(m.messageId)}/structure${copy ? `?copy=${copy}` : ''}`).catch(() => null),
  ]);
  // The body as its reply structure (quotes folded, diff as a diff); as plain text when that fails.
  const body = bodyNode(m.body, structure, 'body', (b) => (thread ? links.threadAt(thread.threadId, m.messageId, b) : null));
  const attachments = m.attachments.length
    ? el('ul', { class: 'attachments' }, m.attachments.map((a) => el('li', { text: `${a.filename ?? '(unnamed)'} — ${a.contentType}, ${a.size} bytes` })))
    : null;
  fill(root, 
    el(
      'article',
      { class: 'message' },
      el('h1', { text: m.subject || '(no subject)' }),
      headerRows(m),
      downloads(m),
      copyEvidence(messageEvidenceText(m)),
      thread
        ? el('details', { class: 'thread', open: thread.messages <= 30 }, el('summary', {}, `Thread: ${thread.messages} message${thread.messages === 1 ? '' : 's'} · `, el('a', { href: links.threadAt(thread.threadId, m.messageId), text: 'read it as a conversation' })), threadTree(thread.root, m.messageId))
        : null,
      // The races whose threads hold this message, when there are any.
      structure?.races?.length ? section('Races', raceList(structure.races)) : null,
      scenarios,
      series,
      status,
      section('Message', body, attachments),
    ),
  );
}
