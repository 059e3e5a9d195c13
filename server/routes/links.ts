// Proposed fixes <-> simulator scenarios: "which scenarios model the fix this mail proposes,
// and what did the explorer say about it?" and, from a scenario, "where is each modelled
// fix on the list?". A variant names its fix in free text (sim/FORMAT.md `fix:`): a
// Message-ID in angle brackets, a patch subject, or both; the matching is the pure part
// of this file (fixMessageIds, fixSubjects, linkVariants), the rest reads the store and db.
import type { FastifyInstance } from 'fastify';
import { messageHeads, messagesByBaseSubject, type MessageHead } from '../../db/links.ts';
import { threadMessageIds, threadRootOf } from '../../db/threads.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { baseSubject } from '../../domain/thread.ts';
import type { Scenario } from '../../sim/index.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import type { ScenarioStore } from '../scenario-store.ts';
import { schemaCovers } from '../schema-covers.ts';

/** Threads bigger than this are matched by their first messages only: a page answer, not a scan. */
const MAX_THREAD_IDS = 5_000;
/** Messages shown per variant on a scenario's page. */
const MAX_MESSAGES_PER_FIX = 20;
/** Shorter candidates ("fix", "v2") would match unrelated mail. */
const MIN_SUBJECT_CHARS = 12;

const MID_RE = /<([^<>\s]+@[^<>\s]+)>/g;

/** Message-IDs a fix text cites, in order, without brackets. */
export function fixMessageIds(fix: string): string[] {
  return [...new Set([...fix.matchAll(MID_RE)].map((m) => m[1] ?? ''))].filter((s) => s !== '');
}

/**
 * Subjects a fix text may be quoting, as ingest stores them (baseSubject: reply prefixes
 * gone, lower case): the whole text, the part before a parenthesised comment, and each
 * parenthesised part, with Message-IDs and a pasted "Subject:" label removed.
 */
export function fixSubjects(fix: string): string[] {
  const text = fix.replace(MID_RE, ' ').replace(/\s+/g, ' ').trim();
  const parts = [text, text.split(' (')[0] ?? '', ...[...text.matchAll(/\(([^()]*)\)/g)].map((m) => m[1] ?? '')];
  const out = new Set<string>();
  for (const p of parts) {
    const key = subjectKey(p.trim().replace(/[\s,;:.]+$/, ''));
    if (key.length >= MIN_SUBJECT_CHARS) out.add(key);
  }
  return [...out];
}

/**
 * A subject compared across fix texts and mail: baseSubject (lower case, spaces collapsed)
 * without reply prefixes or a "Subject:" label, which people paste into fix notes and
 * which saved replies sometimes carry in the subject itself ("Re: Subject: [BUG] ...").
 */
export function subjectKey(subject: string): string {
  let t = baseSubject(subject).base;
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/^(?:re|fwd?|aw|subject)\s*:\s*/, '');
  }
  return t;
}

/** The stored base_subject values a key stands for: the mail itself may carry the "Subject:" label. */
function storedForms(keys: readonly string[]): string[] {
  return keys.flatMap((k) => [k, `subject: ${k}`]);
}

export type LinkMatch = 'message-id' | 'subject' | 'thread';

export interface VariantLink {
  scenario: string;
  title: string;
  variant: string;
  fix: string;
  description: string;
  match: LinkMatch;
  /** The message whose id or subject the fix names: this one, or another in its thread. */
  via: string;
  expect: { config: string; verdict: string; property: string; why: string }[];
}

export interface SourceLink {
  scenario: string;
  title: string;
  match: LinkMatch;
  via: string;
}

/** What the matcher knows of a message and its thread. */
export interface MessageContext {
  messageId: string;
  /** subjectKey of the message's subject. */
  baseSubject: string;
  /** Other messages of the thread, with their subject keys. */
  thread: { messageId: string; baseSubject: string }[];
}

/** Fix texts change only with their scenario files: each is read once, not on every page view. */
const parsedFixes = new Map<string, { ids: Set<string>; subjects: Set<string> }>();
const MAX_PARSED_FIXES = 10_000;

function parsedFix(fix: string): { ids: Set<string>; subjects: Set<string> } {
  let p = parsedFixes.get(fix);
  if (!p) {
    if (parsedFixes.size >= MAX_PARSED_FIXES) parsedFixes.clear();
    p = { ids: new Set(fixMessageIds(fix)), subjects: new Set(fixSubjects(fix)) };
    parsedFixes.set(fix, p);
  }
  return p;
}

function matchFix(fix: string, m: MessageContext): { match: LinkMatch; via: string } | null {
  const { ids, subjects } = parsedFix(fix);
  if (ids.has(m.messageId)) return { match: 'message-id', via: m.messageId };
  if (subjects.has(m.baseSubject)) return { match: 'subject', via: m.messageId };
  const other = m.thread.find((t) => ids.has(t.messageId)) ?? m.thread.find((t) => subjects.has(t.baseSubject));
  return other ? { match: 'thread', via: other.messageId } : null;
}

/** A scenario's `source:` entry read like a fix text; a bare Message-ID gets its brackets. */
export function sourceText(source: string): string {
  const t = source.trim();
  return /^[^<>\s]+@[^<>\s]+$/.test(t) ? `<${t}>` : t;
}

const RANK: Record<LinkMatch, number> = { 'message-id': 0, subject: 1, thread: 2 };

/** Every variant of every scenario whose fix names this message (best match first), and the scenarios that cite it as a source. */
export function linkVariants(scenarios: readonly Scenario[], m: MessageContext): { fixes: VariantLink[]; discussedIn: SourceLink[] } {
  const fixes: VariantLink[] = [];
  const discussedIn: SourceLink[] = [];
  for (const sc of scenarios) {
    for (const v of sc.variants.values()) {
      if (!v.fix) continue;
      const hit = matchFix(v.fix, m);
      if (!hit) continue;
      fixes.push({
        scenario: sc.id,
        title: sc.title,
        variant: v.name,
        fix: v.fix,
        description: v.description ?? '',
        ...hit,
        expect: sc.expect
          .filter((e) => e.variant === v.name)
          .map((e) => ({ config: e.config, verdict: e.verdict, property: e.property ?? '', why: e.why })),
      });
    }
    const hits = sc.source.flatMap((src) => matchFix(sourceText(src), m) ?? []);
    hits.sort((a, b) => RANK[a.match] - RANK[b.match]);
    const best = hits[0];
    if (best) discussedIn.push({ scenario: sc.id, title: sc.title, ...best });
  }
  fixes.sort((a, b) => RANK[a.match] - RANK[b.match]);
  return { fixes, discussedIn };
}

// ---------------------------------------------------------------- HTTP

const str = { type: 'string' } as const;
const expectSchema = {
  type: 'object',
  required: ['config', 'verdict', 'property', 'why'],
  properties: { config: str, verdict: str, property: str, why: str },
} as const;
const variantLinkSchema = {
  type: 'object',
  required: ['scenario', 'title', 'variant', 'fix', 'description', 'match', 'via', 'expect'],
  properties: {
    scenario: str,
    title: str,
    variant: str,
    fix: { type: 'string', description: "the variant's fix text, as the scenario file has it" },
    description: str,
    match: { type: 'string', enum: ['message-id', 'subject', 'thread'], description: 'how the fix names the message' },
    via: { type: 'string', description: 'the message the fix names: this one or another in its thread' },
    expect: { type: 'array', items: expectSchema, description: "the scenario's expected verdicts for this variant, per config" },
  },
} as const;
const sourceLinkSchema = {
  type: 'object',
  required: ['scenario', 'title', 'match', 'via'],
  properties: { scenario: str, title: str, match: { type: 'string', enum: ['message-id', 'subject', 'thread'] }, via: str },
} as const;
schemaCovers<typeof variantLinkSchema, VariantLink>(true);
schemaCovers<typeof sourceLinkSchema, SourceLink>(true);
schemaCovers<typeof expectSchema, VariantLink['expect'][number]>(true);

const headSchema = {
  type: 'object',
  required: ['messageId', 'subject', 'from', 'date'],
  properties: {
    messageId: str,
    subject: str,
    from: { anyOf: [{ $ref: 'Address#' }, { type: 'null' }] },
    date: { type: ['string', 'null'], description: 'ISO 8601 UTC' },
  },
} as const;

interface HeadView {
  messageId: string;
  subject: string;
  from: { name: string; address: string } | null;
  date: string | null;
}
schemaCovers<typeof headSchema, HeadView>(true);

function headView(h: MessageHead): HeadView {
  return {
    messageId: h.messageId,
    subject: h.subject,
    from: h.fromAddress === null && h.fromName === null ? null : { name: h.fromName ?? '', address: h.fromAddress ?? '' },
    date: h.date === null ? null : new Date(h.date).toISOString(),
  };
}

const foundSchema = {
  ...headSchema,
  required: [...headSchema.required, 'match'],
  properties: { ...headSchema.properties, match: { type: 'string', enum: ['message-id', 'subject'] } },
} as const;

interface FoundView extends HeadView {
  match: 'message-id' | 'subject';
}
schemaCovers<typeof foundSchema, FoundView>(true);

/** The archived messages a fix or source text names: by Message-ID first, then by subject (originals before replies). */
function messagesNamedBy(ctx: RouteContext, text: string): FoundView[] {
  const byId = messageHeads(ctx.db, fixMessageIds(text)).map((h): FoundView => ({ ...headView(h), match: 'message-id' }));
  const seen = new Set(byId.map((h) => h.messageId));
  const bySubject = messagesByBaseSubject(ctx.db, storedForms(fixSubjects(text)), MAX_MESSAGES_PER_FIX)
    .filter((h) => !seen.has(h.messageId))
    .map((h): FoundView => ({ ...headView(h), match: 'subject' }));
  return [...byId, ...bySubject].slice(0, MAX_MESSAGES_PER_FIX);
}

const scenarioIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', maxLength: 128, description: 'scenario id or file name' } },
} as const;

async function loaded(store: ScenarioStore): Promise<Scenario[]> {
  return (await store.list()).flatMap((e) => (e.scenario ? [e.scenario] : []));
}

function messageContext(ctx: RouteContext, mid: string): { context: MessageContext; threadId: string | null } {
  const own = messageHeads(ctx.db, [mid])[0];
  const threadId = threadRootOf(ctx.db, mid);
  // A ghost (cited by replies, never archived) can still be the fix a scenario names.
  if (!own && threadId === null) throw new LoregraphError('NOT_FOUND', `no message <${mid}>`);
  const ids = threadId === null ? [] : threadMessageIds(ctx.db, threadId).filter((id) => id !== mid).slice(0, MAX_THREAD_IDS);
  const thread = messageHeads(ctx.db, ids).map((h) => ({ messageId: h.messageId, baseSubject: subjectKey(h.baseSubject) }));
  // The root may be a ghost: its id can still be cited.
  if (threadId !== null && threadId !== mid && !thread.some((t) => t.messageId === threadId)) thread.unshift({ messageId: threadId, baseSubject: '' });
  return { context: { messageId: mid, baseSubject: own ? subjectKey(own.baseSubject) : '', thread }, threadId };
}

export function registerLinks(app: FastifyInstance, ctx: RouteContext, store: ScenarioStore): void {
  app.get<{ Params: { mid: string } }>('/api/messages/:mid/scenarios', {
    schema: {
      summary: 'Scenario variants whose fix names this message (by Message-ID or subject) or a message of its thread, with their expected verdicts; and the scenarios citing it as a source',
      tags: ['scenarios'],
      params: midParamsSchema,
      response: {
        200: {
          type: 'object',
          required: ['messageId', 'threadId', 'fixes', 'discussedIn'],
          properties: {
            messageId: str,
            threadId: { type: ['string', 'null'] },
            fixes: { type: 'array', items: variantLinkSchema },
            discussedIn: { type: 'array', items: sourceLinkSchema },
          },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const mid = messageIdParam(req.params.mid);
      const { context, threadId } = messageContext(ctx, mid);
      return { messageId: mid, threadId, ...linkVariants(await loaded(store), context) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/scenarios/:id/links', {
    schema: {
      summary: "Each variant's fix with the archived messages it names (by Message-ID, then by subject), and the scenario's source mails",
      tags: ['scenarios'],
      params: scenarioIdParams,
      response: {
        200: {
          type: 'object',
          required: ['scenario', 'variants', 'sources'],
          properties: {
            scenario: str,
            variants: {
              type: 'array',
              items: {
                type: 'object',
                required: ['variant', 'fix', 'messages'],
                properties: {
                  variant: str,
                  fix: str,
                  messages: { type: 'array', items: foundSchema },
                },
              },
            },
            sources: {
              type: 'array',
              description: "the scenario's source entries (Message-IDs or subjects) with the archived messages they name",
              items: { type: 'object', required: ['source', 'messages'], properties: { source: str, messages: { type: 'array', items: foundSchema } } },
            },
          },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
        422: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const sc = await store.get(req.params.id);
      const variants = [...sc.variants.values()].filter((v) => v.fix !== '').map((v) => ({ variant: v.name, fix: v.fix, messages: messagesNamedBy(ctx, v.fix) }));
      const sources = sc.source.map((src) => ({ source: src, messages: messagesNamedBy(ctx, sourceText(src)) }));
      return { scenario: sc.id, variants, sources };
    },
  });
}
