// GET /api/fixes/:id/scenarios: the simulator scenarios about a fix proposed in the mail,
// explicit (a variant models it, with its expected verdicts) or by coverage (its functions
// are modelled, the fix is not), each labelled as what it is (server/scenario-links.ts).
import type { FastifyInstance } from 'fastify';
import { getFix } from '../../db/knowledge.ts';
import { LoregraphError } from '../../domain/errors.ts';
import type { RouteContext } from '../context.ts';
import { fixScenarioLinks, scenarioLinkSchema } from '../scenario-links.ts';
import type { ScenarioStore } from '../scenario-store.ts';

const fixIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'fix id, `<message-id>#<n>`, URL-encoded (# as %23)' } },
} as const;

export function registerFixScenarios(app: FastifyInstance, ctx: RouteContext, store: ScenarioStore): void {
  app.get<{ Params: { id: string } }>('/api/fixes/:id/scenarios', {
    schema: {
      summary: "Scenarios that model a proposed fix (explicit: a variant names it, with that variant's expected verdicts per config) or cover the functions it touches (coverage: not checked)",
      tags: ['races'],
      params: fixIdParams,
      response: {
        200: {
          type: 'object',
          required: ['fix', 'race', 'links'],
          properties: {
            fix: { type: 'string' },
            race: { type: 'string', description: 'the race the fix was proposed for' },
            links: { type: 'array', items: scenarioLinkSchema, description: 'explicit links first, then coverage' },
          },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      // "<mid>#0" as copied from a mail client: the fix id stores the message-id bare
      const id = req.params.id.trim().replace(/^<([^<>]+)>(#\d+)$/, '$1$2');
      const found = getFix(ctx.db, id);
      if (!found) throw new LoregraphError('NOT_FOUND', `no proposed fix '${id}'`);
      return { fix: found.fix.id, race: found.race.id, links: fixScenarioLinks(found.fix, store) };
    },
  });
}
