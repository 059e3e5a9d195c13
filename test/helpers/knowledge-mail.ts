// Mail written in a test for the knowledge layer's pure core: a ParsedMessage, and the same
// message as the thread pass reads it (its patch analysis and knowledge), an hour apart each.
import { analyzeKnowledge } from '../../domain/knowledge/message.ts';
import type { ThreadInput, ThreadMessageInput } from '../../domain/knowledge/types.ts';
import type { ParsedMessage } from '../../domain/message.ts';
import { analyzePatchMessage } from '../../domain/patch/analyze.ts';

export interface MailWriter {
  /** A parsed message from `from` (an address made from the name), an hour after the last one. */
  parsed(id: string, from: string, subject: string, body: string, parent: string | null, filenames?: string[]): ParsedMessage;
  /** The same, as the thread pass reads it. */
  mail(id: string, from: string, subject: string, body: string, parent?: string | null): ThreadMessageInput;
}

export function mailWriter(start = Date.UTC(2025, 0, 6)): MailWriter {
  let clock = start;
  const parsed: MailWriter['parsed'] = (id, from, subject, body, parent, filenames = []) => {
    clock += 3_600_000;
    return {
      messageId: id,
      messageIdSynthesized: false,
      subject,
      from: { name: from, address: `${from.toLowerCase().replace(/\s+/g, '.')}@example.org` },
      to: [],
      cc: [],
      date: clock,
      dateSource: 'date',
      inReplyTo: parent,
      references: parent ? [parent] : [],
      listId: null,
      body,
      attachments: filenames.map((filename) => ({ filename, contentType: 'text/plain', size: 10 })) as ParsedMessage['attachments'],
      headers: {},
      notes: [],
      lenient: null,
      contentHash: id,
    };
  };
  const mail: MailWriter['mail'] = (id, from, subject, body, parent = null) => {
    const msg = parsed(id, from, subject, body, parent);
    const a = analyzePatchMessage(msg);
    return {
      messageId: id,
      subject,
      from,
      fromAddress: msg.from!.address,
      date: msg.date!,
      parent,
      patch: a ? { kind: a.kind, version: a.subject.versionMajor, titleKey: a.titleKey, seriesId: null, stable: a.stable !== null } : null,
      trailers: a ? a.trailers.map((t) => ({ name: t.name, value: t.value })) : [],
      knowledge: analyzeKnowledge(msg, a).knowledge,
    };
  };
  return { parsed, mail };
}

/** A thread of these messages, rooted at the first. */
export const thread = (...messages: ThreadMessageInput[]): ThreadInput => ({ root: messages[0]!.messageId, messages });
