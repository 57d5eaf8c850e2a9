import type { JsonObject } from '../load.js';
import { DiffContext } from './checks/context.js';
import { compareComponentNames, compareDocument, compareServers } from './checks/document.js';
import { compareOperation, comparePaths } from './checks/operations-and-parameters.js';
import { compareSecurity, compareSecuritySchemes } from './checks/security.js';
import { compareWebhooks } from './checks/webhooks-and-callbacks.js';
import { assertRefsResolve } from './refs.js';
import { byReportOrder, summarize, type DiffResult } from './types.js';

/**
 * Classifies the differences between two OpenAPI 3.0/3.1 documents from the side of a client that sends requests
 * and reads responses through generated types. The checks live in `src/diff/checks/`, one module per OpenAPI object
 * (document, security, operations and parameters, bodies and media types, responses, schema keywords, webhooks and
 * callbacks); each names the rule that fired, and the rules catalogue (`src/diff/rules.ts`) says how much it matters.
 */
export class SpecDiff {
  private readonly ctx: DiffContext;

  constructor(before: JsonObject, after: JsonObject) {
    this.ctx = new DiffContext(before, after);
  }

  run(): DiffResult {
    const { ctx } = this;
    compareDocument(ctx);
    compareServers(ctx, ctx.before.servers, ctx.after.servers, ['servers'], undefined);
    compareSecurity(ctx, ctx.before.security, ctx.after.security, ['security'], undefined);
    compareSecuritySchemes(ctx);
    compareComponentNames(ctx);
    comparePaths(ctx);
    compareWebhooks(ctx, compareOperation);
    const changes = ctx.changes.sort(byReportOrder);
    return {
      changes,
      summary: summarize(changes),
    };
  }
}

/** Compares two parsed OpenAPI documents (their `$ref`s must resolve; see `assertRefsResolve`). */
export function diffDocuments(before: JsonObject, after: JsonObject, labels: { before: string; after: string } = { before: 'old', after: 'new' }): DiffResult {
  assertRefsResolve(before, labels.before);
  assertRefsResolve(after, labels.after);
  return new SpecDiff(before, after).run();
}
