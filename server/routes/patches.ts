// Patches and the stable process: a series with all its versions and trailers, a fix's
// status on every stable branch, and everything seen for one branch. The answers come
// from db/series.ts and db/stable.ts; this file is their HTTP face.
import type { FastifyInstance } from 'fastify';
import { getSeries, type SeriesPatchView, type SeriesVersionView, type SeriesView, type TrailerView } from '../../db/series.ts';
import { schemaCovers } from '../schema-covers.ts';
import { getFixStatus, listStableBranch, type FixInfo } from '../../db/stable.ts';
import { STATUSES, type BranchStatus, type StableStatus } from '../../domain/patch/stable-status.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;

const trailerSchema = {
  type: 'object',
  required: ['name', 'value', 'person', 'commit', 'url', 'givenIn', 'followup', 'fromCover'],
  properties: {
    name: str,
    value: str,
    person: { anyOf: [{ type: 'object', required: ['name', 'email'], properties: { name: str, email: str } }, { type: 'null' }] },
    commit: nstr,
    url: nstr,
    givenIn: { type: 'string', description: 'Message-ID of the mail the trailer was written in' },
    followup: { type: 'boolean', description: 'given in a reply rather than in the patch' },
    fromCover: { type: 'boolean', description: 'given on the cover letter: applies to every patch' },
  },
} as const;

export const seriesSchema = {
  type: 'object',
  required: ['title', 'requested', 'versions'],
  properties: {
    title: str,
    requested: { type: 'string', description: 'the version the asked-for message belongs to' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'version', 'title', 'sender', 'coverMessageId', 'total', 'date', 'changeId', 'superseded', 'amends', 'coverTrailers', 'patches'],
        properties: {
          id: { type: 'integer' },
          version: str,
          title: str,
          sender: nstr,
          coverMessageId: nstr,
          total: { type: ['integer', 'null'] },
          date: nstr,
          changeId: nstr,
          superseded: { type: 'boolean' },
          amends: nstr,
          coverTrailers: { type: 'array', items: trailerSchema },
          patches: {
            type: 'array',
            items: {
              type: 'object',
              required: ['index', 'messageId', 'subject', 'patchId', 'previousMessageId', 'match', 'trailers'],
              properties: {
                index: { type: 'integer' },
                messageId: str,
                subject: str,
                patchId: nstr,
                previousMessageId: { ...nstr, description: 'the same patch in the previous version' },
                match: { ...nstr, description: 'how previousMessageId was matched' },
                trailers: { type: 'array', items: trailerSchema },
              },
            },
          },
        },
      },
    },
  },
} as const;

const fixInfoSchema = {
  type: 'object',
  required: ['key', 'upstreamCommit', 'title', 'author', 'patchMessageId', 'patchMatch'],
  properties: {
    key: str,
    upstreamCommit: nstr,
    title: str,
    author: { anyOf: [{ type: 'object', required: ['name', 'email'], properties: { name: nstr, email: nstr } }, { type: 'null' }] },
    patchMessageId: nstr,
    patchMatch: nstr,
  },
} as const;

const statusEnum = { type: 'string', enum: [...STATUSES] } as const;

const branchStatusSchema = {
  type: 'object',
  required: ['status', 'evidence', 'rc', 'version', 'history'],
  properties: {
    status: statusEnum,
    evidence: { type: 'array', items: str, description: 'Message-IDs that justify the status, oldest first' },
    rc: nstr,
    version: nstr,
    base: { ...nstr, description: 'the newest X-stable-base a mail on the branch gave' },
    history: {
      type: 'array',
      items: { type: 'object', required: ['status', 'messageId', 'date'], properties: { status: statusEnum, messageId: str, date: nstr } },
    },
  },
} as const;

schemaCovers<typeof branchStatusSchema, BranchStatus>(true);
schemaCovers<typeof fixInfoSchema, FixInfo>(true);
schemaCovers<typeof seriesSchema, SeriesView>(true);
schemaCovers<typeof seriesSchema.properties.versions.items, SeriesVersionView>(true);
schemaCovers<typeof seriesSchema.properties.versions.items.properties.patches.items, SeriesPatchView>(true);
schemaCovers<typeof trailerSchema, TrailerView>(true);

export interface BranchStatusView extends Omit<BranchStatus, 'history'> {
  history: { status: StableStatus; messageId: string; date: string | null }[];
}

/** Dates leave the API as ISO 8601 strings, as everywhere else. */
function branchStatusView(s: BranchStatus): BranchStatusView {
  return { ...s, history: s.history.map((h) => ({ ...h, date: h.date === null ? null : new Date(h.date).toISOString() })) };
}

interface StableQuery {
  status?: StableStatus;
  offset: number;
  limit: number;
}

export function registerPatches(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { mid: string } }>('/api/series/:mid', {
    schema: {
      summary: 'The series a message belongs to (cover, patch or reply), every version, with per-patch trailers',
      tags: ['patches'],
      params: midParamsSchema,
      response: { 200: seriesSchema, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req) => getSeries(ctx.db, messageIdParam(req.params.mid)),
  });

  app.get<{ Params: { key: string } }>('/api/fix-status/:key', {
    schema: {
      summary: 'A fix and its status on each stable branch, by upstream commit (7+ hex digits) or any Message-ID about it',
      tags: ['stable'],
      params: {
        type: 'object',
        required: ['key'],
        properties: { key: { type: 'string', minLength: 1, description: 'upstream commit (abbreviated ok) or Message-ID' } },
      },
      response: {
        200: {
          type: 'object',
          required: ['fix', 'branches'],
          properties: { fix: fixInfoSchema, branches: { type: 'object', additionalProperties: branchStatusSchema } },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const st = getFixStatus(ctx.db, messageIdParam(req.params.key));
      const branches: Record<string, BranchStatusView> = {};
      for (const [b, s] of Object.entries(st.branches)) branches[b] = branchStatusView(s);
      return { fix: st.fix, branches };
    },
  });

  app.get<{ Params: { branch: string }; Querystring: StableQuery }>('/api/stable/:branch', {
    schema: {
      summary: 'Every fix seen for a stable branch (6.6 or 6.6.y) with its status there',
      tags: ['stable'],
      params: {
        type: 'object',
        required: ['branch'],
        properties: { branch: { type: 'string', maxLength: 16, description: 'e.g. 6.6 or 6.6.y' } },
      },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { ...statusEnum, description: 'only fixes with this status on the branch' },
          offset: { type: 'integer', minimum: 0, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxPageSize, default: 100 },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['branch', 'total', 'offset', 'limit', 'fixes'],
          properties: {
            branch: str,
            total: { type: 'integer' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            counts: { type: 'object', description: 'fixes per status on this branch', additionalProperties: { type: 'integer' } },
            fixes: {
              type: 'array',
              items: { type: 'object', required: ['fix', 'status'], properties: { fix: fixInfoSchema, status: branchStatusSchema } },
            },
          },
        },
        400: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const all = listStableBranch(ctx.db, req.params.branch);
      const counts: Record<string, number> = {};
      for (const f of all) counts[f.status.status] = (counts[f.status.status] ?? 0) + 1;
      const wanted = req.query.status ? all.filter((f) => f.status.status === req.query.status) : all;
      const { offset, limit } = req.query;
      const page = wanted.slice(offset, offset + limit).map((f): { fix: FixInfo; status: BranchStatusView } => ({ fix: f.fix, status: branchStatusView(f.status) }));
      return { branch: req.params.branch.replace(/^v/i, '').replace(/\.y$/i, ''), total: wanted.length, offset, limit, counts, fixes: page };
    },
  });
}
