// The knowledge graph over HTTP: races read out of the mail (filtered by file, function,
// lock, outcome, status and dates), one race with its fixes and stances, one fix, and a
// message's reply structure (the blocks every stance and fact points into by index).
import type { FastifyInstance } from 'fastify';
import { getFix, getRace, listRaces, racesOfMessage, racesOfThread, resolveRaceId, storedReplyBlocks, type RaceFilters } from '../../db/knowledge.ts';
import { getStoredMessage, storedMessageRows } from '../../db/message-view.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { blockText, parseReply, type Block } from '../../domain/knowledge/reply.ts';
import { OUTCOMES, type Outcome, type RaceStatus } from '../../domain/knowledge/types.ts';
import { DateSyntaxError, parseDateRange } from '../../domain/query/dates.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import { fixJson, fixSchema, raceJson, raceSchema, raceSummaryJson, raceSummarySchema, stableOfFix, storedHeads } from '../race-json.ts';
import { fixScenarioLinks, linkableScenarios, scenarioLinks } from '../scenario-links.ts';
import type { ScenarioStore } from '../scenario-store.ts';
import { schemaCovers } from '../schema-covers.ts';

const str = { type: 'string' } as const;
const STATUSES: readonly RaceStatus[] = ['confirmed', 'refuted', 'open'];

interface ListQuery {
  file?: string;
  function?: string;
  lock?: string;
  outcome?: Outcome;
  status?: RaceStatus;
  d?: string;
  offset: number;
  limit: number;
}

const idParams = (what: string) =>
  ({
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, description: what } },
  }) as const;

const blockSchema = {
  type: 'object',
  required: ['kind', 'depth', 'start', 'end', 'author', 'answers', 'text'],
  properties: {
    kind: { type: 'string', enum: ['own', 'quote', 'attribution', 'code', 'diff', 'signature'] },
    depth: { type: 'integer', description: 'quote depth, 0 for the sender’s own text' },
    start: { type: 'integer', description: 'first line (0-based)' },
    end: { type: 'integer', description: 'last line, inclusive' },
    author: { type: ['string', 'null'], description: 'whom a quote quotes, from its attribution line' },
    answers: { type: ['integer', 'null'], description: 'for an own paragraph: the index of the quoted block it answers' },
    text: { type: 'string', description: 'the block’s lines, quote markers stripped (plain text, never HTML)' },
  },
} as const;

export interface BlockJson extends Block {
  text: string;
}
schemaCovers<typeof blockSchema, BlockJson>(true);

const structureSchema = {
  type: 'object',
  required: ['messageId', 'restored', 'lines', 'blocks', 'races'],
  properties: {
    messageId: str,
    restored: { type: 'boolean', description: 'line breaks were lost (a saved page) and restored from the quote markers' },
    lines: { type: 'integer', description: 'lines of the body as read' },
    blocks: { type: 'array', items: blockSchema },
    races: { type: 'array', items: raceSummarySchema, description: 'the races whose threads hold this message' },
  },
} as const;

function dateRange(d: string | undefined, now: number): { from?: number; to?: number } {
  if (d === undefined) return {};
  try {
    const r = parseDateRange(d, now);
    return { ...(r.from !== null ? { from: r.from } : {}), ...(r.to !== null ? { to: r.to } : {}) };
  } catch (e) {
    if (e instanceof DateSyntaxError) throw new LoregraphError('USAGE', `d: ${e.message}`);
    throw e;
  }
}

/** The reply structure of a stored copy: the blocks ingest stored, over the lines the body gives again. */
function structureOf(ctx: RouteContext, rowId: number, body: string): { restored: boolean; lines: number; blocks: BlockJson[] } {
  const r = parseReply(body);
  const stored = storedReplyBlocks(ctx.db, rowId);
  // Stored blocks that do not fit the lines (written by an older extraction) give way to fresh ones.
  const fits = stored !== null && stored.blocks.every((b) => b.start <= b.end && b.end < r.lines.length);
  const blocks = fits ? stored.blocks : r.blocks;
  return { restored: r.restored, lines: r.lines.length, blocks: blocks.map((b) => ({ ...b, text: blockText(r, b) })) };
}

export function registerRaces(app: FastifyInstance, ctx: RouteContext, scenarios: ScenarioStore): void {
  app.get<{ Querystring: ListQuery }>('/api/races', {
    schema: {
      summary: 'Races read out of the mail, newest activity first, with their outcome, confidence, status and evidence',
      tags: ['races'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          file: { type: 'string', minLength: 1, description: 'a file the race names (path or base name)' },
          function: { type: 'string', minLength: 1, description: 'a kernel function the race names (with or without "()")' },
          lock: { type: 'string', minLength: 1, description: 'a lock or primitive the race names (i_mmap_rwsem, folio lock, RCU)' },
          outcome: { type: 'string', enum: [...OUTCOMES] },
          status: { type: 'string', enum: [...STATUSES] },
          d: { type: 'string', minLength: 1, description: "date range as in search's d: (20240101..20240301, 2.weeks.ago..): races active in it" },
          offset: { type: 'integer', minimum: 0, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxPageSize, default: 50 },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['total', 'offset', 'limit', 'races'],
          properties: { total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' }, races: { type: 'array', items: raceSummarySchema } },
        },
        400: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const q = req.query;
      const filters: RaceFilters = {
        ...(q.file !== undefined ? { file: q.file } : {}),
        ...(q.function !== undefined ? { function: q.function } : {}),
        ...(q.lock !== undefined ? { lock: q.lock } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...dateRange(q.d, ctx.now()),
        offset: q.offset,
        limit: q.limit,
      };
      const { total, races } = listRaces(ctx.db, filters);
      return { total, offset: q.offset, limit: q.limit, races: races.map(raceSummaryJson) };
    },
  });

  app.get<{ Params: { id: string } }>('/api/races/:id', {
    schema: {
      summary: 'One race: reasons with their sentences, functions, files, locks, versions, threads, and each proposed fix with its lifecycle, stances and scenario links',
      tags: ['races'],
      params: idParams('race id, as /api/races lists them, or a unique prefix of one at least r- and 8 characters long (the length ids once had); the answer carries the full id'),
      response: { 200: raceSchema, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req) => {
      const id = resolveRaceId(ctx.db, req.params.id);
      const race = id === null ? null : getRace(ctx.db, id);
      if (!race) throw new LoregraphError('NOT_FOUND', `no race '${req.params.id}'`);
      const linkable = await linkableScenarios(scenarios);
      return raceJson(race, (f) => scenarioLinks(f, linkable), (f) => stableOfFix(ctx.db, f), storedHeads(ctx.db));
    },
  });

  app.get<{ Params: { id: string } }>('/api/fixes/:id', {
    schema: {
      summary: 'One proposed fix: who proposed it where, its kind, lifecycle and stances, and the race it was proposed for',
      tags: ['races'],
      params: idParams('fix id, `<message-id>#<n>`, URL-encoded (# as %23)'),
      response: {
        200: { type: 'object', required: ['race', 'fix'], properties: { race: raceSummarySchema, fix: fixSchema } },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      // "<mid>#0" as copied from a mail client: the fix id stores the message-id bare
      const id = req.params.id.trim().replace(/^<([^<>]+)>(#\d+)$/, '$1$2');
      const found = getFix(ctx.db, id);
      if (!found) throw new LoregraphError('NOT_FOUND', `no proposed fix '${id}'`);
      return { race: raceSummaryJson(found.race), fix: fixJson(found.fix, await fixScenarioLinks(found.fix, scenarios), stableOfFix(ctx.db, found.fix), storedHeads(ctx.db).copiesOf(found.fix)) };
    },
  });

  app.get<{ Params: { mid: string } }>('/api/threads/:mid/races', {
    schema: {
      summary: 'The races read out of the thread holding a message (of a stable review series or AUTOSEL bundle, the race of each patch in it), oldest first',
      tags: ['races'],
      params: midParamsSchema,
      response: {
        200: { type: 'object', required: ['races'], properties: { races: { type: 'array', items: raceSummarySchema } } },
        400: { $ref: 'ErrorBody#' },
      },
    },
    // A message not stored is in no thread, and so in no race: an empty list, not a 404 the page would log.
    handler: async (req) => ({ races: racesOfThread(ctx.db, messageIdParam(req.params.mid)).map(raceSummaryJson) }),
  });

  app.get<{ Params: { mid: string }; Querystring: { copy: number } }>('/api/messages/:mid/structure', {
    schema: {
      summary: "A message's reply structure: its own paragraphs, quoted blocks with depth and whom they quote, code and diffs, each with its text",
      tags: ['messages'],
      params: midParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { copy: { type: 'integer', minimum: 0, maximum: 10_000, default: 0, description: 'which stored copy, 0 = oldest' } },
      },
      response: { 200: structureSchema, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req) => {
      const mid = messageIdParam(req.params.mid);
      const rowId = storedMessageRows(ctx.db, mid)[req.query.copy];
      const stored = rowId === undefined ? null : getStoredMessage(ctx.db, rowId);
      if (rowId === undefined || !stored) throw new LoregraphError('NOT_FOUND', `no message <${mid}>${req.query.copy > 0 ? ` copy ${req.query.copy}` : ''}`);
      return { messageId: mid, ...structureOf(ctx, rowId, stored.body), races: racesOfMessage(ctx.db, mid).map(raceSummaryJson) };
    },
  });
}
