/**
 * A stand-in for a vendor's whole published document, built from the vendored PandaDoc spec (one operation): the
 * same document plus 95 more paths in PandaDoc's style (as its public release has), some of them sharing the
 * covered operation's error responses, so that changes can be put inside and outside what the client covers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PANDADOC_OPERATION = '/public/v1/documents/{document_id}/sections/uploads/{upload_id}';
export const PANDADOC_COVERED = `GET ${PANDADOC_OPERATION}`;

type Json = Record<string, unknown>;

interface PandaDoc {
  info: { version: string };
  tags: { name: string }[];
  paths: Record<string, Json>;
  components: { schemas: Record<string, Json & { properties?: Record<string, Json> }>; responses: Record<string, Json> };
}

export interface WholeOptions {
  version?: string;
  /** Add an optional property to the covered operation's 200 schema (a non-breaking change to the client). */
  coveredChange?: boolean;
  /** Change the schemas and responses used only by operations the client does not cover. */
  outsideChange?: boolean;
  /** Reword the covered operation's descriptions (docs-only; the generated types carry them as JSDoc comments). */
  coveredDescriptions?: boolean;
}

export function wholePandadoc(root: string, options: WholeOptions = {}): PandaDoc {
  const document = JSON.parse(readFileSync(join(root, 'specs/pandadoc/openapi.json'), 'utf8')) as PandaDoc;
  document.info.version = options.version ?? '8.8.0';
  document.tags.push({ name: 'Templates' });
  for (let index = 0; index < 95; index++) {
    document.paths[`/public/v1/templates${index}/{template_id}`] = {
      get: {
        operationId: `templateDetails${index}`,
        tags: ['Templates'],
        parameters: [{ name: 'template_id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/Template${index % 10}` } } } },
          '401': { $ref: '#/components/responses/401' },
          ...(index % 5 === 0 ? { '400': { $ref: '#/components/responses/TemplateError' } } : {}),
        },
      },
    };
  }
  for (let index = 0; index < 10; index++) {
    document.components.schemas[`Template${index}`] = {
      type: 'object',
      properties: { id: { type: 'string' }, name: { type: 'string' }, ...(options.outsideChange ? { folder: { type: 'string' } } : {}) },
    };
  }
  document.components.responses.TemplateError = {
    description: options.outsideChange ? 'The template request was refused.' : 'Bad request',
    content: { 'application/json': { schema: { type: 'object', properties: { detail: { type: 'string' } } } } },
  };
  if (options.coveredDescriptions) {
    const operation = document.paths[PANDADOC_OPERATION]?.get as { description?: string; parameters?: { description?: string }[] } | undefined;
    if (operation?.description === undefined || operation.parameters === undefined) throw new Error(`${PANDADOC_COVERED} has no description or parameters`);
    operation.description = operation.description.replace('procces has been failed', 'process failed');
    for (const parameter of operation.parameters) parameter.description = `The ${parameter.description ?? 'identifier'}`;
  }
  if (options.coveredChange) {
    const response = document.components.schemas.UploadSectionStatusResponse;
    if (response?.properties === undefined) throw new Error('UploadSectionStatusResponse has no properties');
    response.properties.page_count = { type: 'integer', description: 'Pages in the uploaded section.' };
  }
  return document;
}
