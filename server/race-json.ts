// Races, proposed fixes and stances as the API returns them, with the JSON schemas that
// validate and serialize them (a serializer drops what its schema does not declare, so
// schemaCovers fails the type-check when a field is added to the domain types and not here).
// Dates leave the API as ISO 8601 strings, as everywhere else.
import type { Db } from '../db/connection.ts';
import type { RaceSummary } from '../db/knowledge.ts';
import { messageHeads, type MessageHead } from '../db/links.ts';
import { threadMessageIds } from '../db/threads.ts';
import { threadHeads, type ThreadHead } from '../db/thread-heads.ts';
import { stableOfPatchMail } from '../db/stable.ts';
import { OUTCOMES, STANCES, type Fix, type RaceRecord } from '../domain/knowledge/types.ts';
import { scenarioLinkSchema, type ScenarioLink } from './scenario-links.ts';
import { schemaCovers } from './schema-covers.ts';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const strs = { type: 'array', items: str } as const;
const isoDate = { type: ['string', 'null'], description: 'ISO 8601 UTC' } as const;

export const evidenceSchema = {
  type: 'object',
  required: ['messageId', 'block', 'text'],
  properties: {
    messageId: str,
    block: { type: ['integer', 'null'], description: "index into the message's reply blocks (/api/messages/{mid}/structure), null for the subject" },
    at: { type: 'integer', description: "where the words start in the block's text, when known" },
    text: { type: 'string', description: 'the sentence, diff line or subject the fact was read from' },
  },
} as const;

const nullableEvidence = { anyOf: [evidenceSchema, { type: 'null' }] } as const;

const reasonSchema = {
  type: 'object',
  required: ['kind', 'weight', 'evidence'],
  properties: {
    kind: str,
    weight: { type: 'number' },
    evidence: evidenceSchema,
    quotedFrom: { type: 'string', description: "set when the words are quoted: whom they quote ('' when no attribution named them)" },
  },
} as const;

const stepSchema = {
  type: 'object',
  required: ['column', 'text', 'functions'],
  properties: { column: { type: 'integer' }, text: str, functions: strs },
} as const;

const interleavingSchema = {
  type: 'object',
  required: ['evidence', 'columns', 'steps'],
  properties: { evidence: evidenceSchema, columns: strs, steps: { type: 'array', items: stepSchema } },
} as const;

const stanceSchema = {
  type: 'object',
  required: ['stance', 'author', 'messageId', 'evidence', 'aimedBy'],
  properties: {
    stance: { type: 'string', enum: [...STANCES] },
    author: nstr,
    messageId: str,
    evidence: evidenceSchema,
    aimedBy: { type: 'string', enum: ['quoted', 'reply', 'trailer'], description: 'how the stance was tied to this fix' },
  },
} as const;

/** A message named by id, with what a listing shows of it (a stable copy of a fix). */
const messageHeadSchema = {
  type: 'object',
  required: ['messageId', 'subject', 'from', 'date'],
  properties: { messageId: str, subject: str, from: nstr, date: isoDate },
} as const;

const threadHeadSchema = {
  type: 'object',
  required: ['root', 'messageId', 'subject', 'from', 'date', 'messages', 'lastDate', 'focus'],
  properties: {
    root: str,
    messageId: { ...nstr, description: 'the message the subject is from: the root, or the oldest one when the root was never received' },
    subject: nstr,
    from: nstr,
    date: isoDate,
    messages: { type: 'integer', description: 'messages stored in the thread' },
    lastDate: { ...isoDate, description: 'the newest message of the thread' },
    focus: {
      anyOf: [messageHeadSchema, { type: 'null' }],
      description: "when the thread's first message is not of the race (a stable bundle's 1/7 when the race's patch is 3/7): the oldest message of the race in it",
    },
  },
} as const;

export const fixSchema = {
  type: 'object',
  required: [
    'id', 'kind', 'author', 'messageId', 'date', 'summary', 'functions', 'files', 'wip', 'version', 'lifecycle',
    'lifecycleEvidence', 'supersededBy', 'stances', 'evidence', 'scenarios', 'stable', 'copyHeads',
  ],
  properties: {
    id: { type: 'string', description: '<message-id>#<n>: the n-th fix that message proposes' },
    kind: { type: 'string', enum: ['patch', 'inline-diff', 'attachment', 'prose'] },
    author: nstr,
    messageId: str,
    date: isoDate,
    summary: str,
    functions: strs,
    files: strs,
    wip: { type: 'boolean' },
    version: { type: ['integer', 'null'] },
    lifecycle: {
      type: 'string',
      enum: ['proposed', 'under-review', 'objected', 'changes-requested', 'reviewed', 'applied', 'superseded', 'merged'],
    },
    lifecycleEvidence: nullableEvidence,
    supersededBy: nstr,
    stances: { type: 'array', items: stanceSchema },
    evidence: evidenceSchema,
    copies: { type: 'array', items: str, description: 'Message-IDs of the same patch mailed again for stable branches (AUTOSEL, review series)' },
    copyHeads: { type: 'array', items: messageHeadSchema, description: 'the stored ones among copies, with subject, sender and date, oldest first' },
    scenarios: { type: 'array', items: scenarioLinkSchema, description: 'simulator scenarios that model (explicit) or cover (coverage) the fix' },
    stable: {
      anyOf: [
        {
          type: 'object',
          required: ['upstream', 'branches'],
          properties: {
            upstream: nstr,
            branches: {
              type: 'object',
              description: 'status per stable branch ("6.6"), as fix-status reads it',
              additionalProperties: {
                type: 'object',
                required: ['status', 'since', 'messageId'],
                properties: { status: str, since: isoDate, messageId: nstr },
              },
            },
          },
        },
        { type: 'null' },
      ],
      description: "for a patch: the stable status of the commit it became, per branch (null when no stable mail or Cc: stable names it)",
    },
  },
} as const;

export const raceSchema = {
  type: 'object',
  required: [
    'id', 'title', 'outcome', 'outcomeEvidence', 'status', 'statusEvidence', 'confidence', 'reasons', 'functions', 'files', 'locks',
    'versions', 'configs', 'diagram', 'threads', 'threadHeads', 'messages', 'evidence', 'fixes', 'firstDate', 'lastDate',
  ],
  properties: {
    id: str,
    title: str,
    outcome: { type: 'string', enum: [...OUTCOMES] },
    outcomeEvidence: nullableEvidence,
    status: { type: 'string', enum: ['confirmed', 'refuted', 'open'] },
    statusEvidence: nullableEvidence,
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    reasons: { type: 'array', items: reasonSchema },
    functions: strs,
    files: strs,
    locks: strs,
    versions: strs,
    configs: strs,
    diagram: { anyOf: [interleavingSchema, { type: 'null' }] },
    threads: { ...strs, description: 'thread roots of the family, first the one that reported it' },
    threadHeads: { type: 'array', items: threadHeadSchema, description: 'the threads in the same order, with subject, sender, date and size' },
    messages: { ...strs, description: "Message-IDs of every message of the family, oldest first (of a stable review series, only the copied patch and its replies)" },
    evidence: { ...strs, description: 'Message-IDs whose reasons made it a race, oldest first' },
    fixes: { type: 'array', items: fixSchema },
    firstDate: isoDate,
    lastDate: isoDate,
  },
} as const;

export const raceSummarySchema = {
  type: 'object',
  required: ['id', 'title', 'outcome', 'confidence', 'status', 'firstDate', 'lastDate', 'evidence', 'fixes'],
  properties: {
    id: str,
    title: str,
    outcome: { type: 'string', enum: [...OUTCOMES] },
    confidence: { type: 'number' },
    status: { type: 'string', enum: ['confirmed', 'refuted', 'open'] },
    firstDate: isoDate,
    lastDate: isoDate,
    evidence: strs,
    fixes: { type: 'integer', description: 'proposed fixes' },
  },
} as const;

export interface FixStableJson {
  upstream: string | null;
  branches: Record<string, { status: string; since: string | null; messageId: string | null }>;
}

export interface MessageHeadJson {
  messageId: string;
  subject: string;
  /** Sender's name, else address. */
  from: string | null;
  date: string | null;
}

export interface ThreadHeadJson {
  root: string;
  messageId: string | null;
  subject: string | null;
  from: string | null;
  date: string | null;
  messages: number;
  lastDate: string | null;
  focus: MessageHeadJson | null;
}

export interface FixJson extends Omit<Fix, 'date'> {
  date: string | null;
  scenarios: ScenarioLink[];
  stable: FixStableJson | null;
  copyHeads: MessageHeadJson[];
}
export interface RaceJson extends Omit<RaceRecord, 'fixes' | 'firstDate' | 'lastDate'> {
  threadHeads: ThreadHeadJson[];
  fixes: FixJson[];
  firstDate: string | null;
  lastDate: string | null;
}
export interface RaceSummaryJson extends Omit<RaceSummary, 'firstDate' | 'lastDate'> {
  firstDate: string | null;
  lastDate: string | null;
}

schemaCovers<typeof evidenceSchema, RaceRecord['reasons'][number]['evidence']>(true);
schemaCovers<typeof reasonSchema, RaceRecord['reasons'][number]>(true);
schemaCovers<typeof interleavingSchema, NonNullable<RaceRecord['diagram']>>(true);
schemaCovers<typeof stanceSchema, Fix['stances'][number]>(true);
schemaCovers<typeof messageHeadSchema, MessageHeadJson>(true);
schemaCovers<typeof threadHeadSchema, ThreadHeadJson>(true);
schemaCovers<typeof fixSchema, FixJson>(true);
schemaCovers<typeof raceSchema, RaceJson>(true);
schemaCovers<typeof raceSummarySchema, RaceSummaryJson>(true);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What db/stable.ts stableOfPatchMail gives, dates as ms. */
export interface FixStable {
  upstream: string | null;
  branches: Record<string, { status: string; since: number | null; messageId: string | null }>;
}

function stableJson(s: FixStable | null): FixStableJson | null {
  if (!s) return null;
  const branches: FixStableJson['branches'] = {};
  for (const [b, st] of Object.entries(s.branches)) branches[b] = { ...st, since: iso(st.since) };
  return { upstream: s.upstream, branches };
}

export function fixJson(f: Fix, scenarios: ScenarioLink[], stable: FixStable | null = null, copyHeads: MessageHeadJson[] = []): FixJson {
  return { ...f, date: iso(f.date), scenarios, stable: stableJson(stable), copyHeads };
}

/** What the store knows of the ids and threads a race names: a page lists them by subject, not by Message-ID. */
export interface RaceHeads {
  copiesOf: (f: Fix) => MessageHeadJson[];
  threadsOf: (r: RaceRecord) => ThreadHeadJson[];
}

const NO_HEADS: RaceHeads = { copiesOf: () => [], threadsOf: () => [] };

export function raceJson(r: RaceRecord, linksOf: (f: Fix) => ScenarioLink[], stableOf: (f: Fix) => FixStable | null = () => null, heads: RaceHeads = NO_HEADS): RaceJson {
  return {
    ...r,
    threadHeads: heads.threadsOf(r),
    fixes: r.fixes.map((f) => fixJson(f, linksOf(f), stableOf(f), heads.copiesOf(f))),
    firstDate: iso(r.firstDate),
    lastDate: iso(r.lastDate),
  };
}

export function raceSummaryJson(r: RaceSummary): RaceSummaryJson {
  return { ...r, firstDate: iso(r.firstDate), lastDate: iso(r.lastDate) };
}

function threadHeadJson(h: ThreadHead, focus: MessageHeadJson | null): ThreadHeadJson {
  return {
    root: h.root,
    messageId: h.messageId,
    subject: h.subject,
    from: h.fromName || h.fromAddress,
    date: iso(h.date),
    messages: h.messages,
    lastDate: iso(h.lastDate),
    focus,
  };
}

const headJson = (h: MessageHead): MessageHeadJson => ({ messageId: h.messageId, subject: h.subject, from: h.fromName || h.fromAddress, date: iso(h.date) });
const byDate = (a: MessageHeadJson, b: MessageHeadJson): number => (a.date ?? '').localeCompare(b.date ?? '');

/** Subjects, senders, dates and sizes from the store, for raceJson and fixJson. */
export function storedHeads(db: Db): RaceHeads {
  return {
    copiesOf: (f) => messageHeads(db, f.copies ?? []).map(headJson).sort(byDate),
    threadsOf: (r) => {
      const family = new Set(r.messages);
      return threadHeads(db, r.threads).map((h) => {
        if (h.messageId === null || family.has(h.messageId)) return threadHeadJson(h, null);
        const ours = threadMessageIds(db, h.root).filter((id) => family.has(id));
        return threadHeadJson(h, messageHeads(db, ours).map(headJson).sort(byDate)[0] ?? null);
      });
    },
  };
}

/** A patch fix's stable status per branch (a prose idea or an inline diff has none of its own). */
export function stableOfFix(db: Db, f: Fix): FixStable | null {
  return f.kind === 'patch' ? stableOfPatchMail(db, f.messageId) : null;
}
