/**
 * A large, realistic-looking OpenAPI 3.1 document for scale tests and benchmarks: `operations` GET
 * operations over `schemas` component schemas that reference each other, with parameters, enums, nested
 * objects, error responses and descriptions. Deterministic: the same sizes give the same document.
 */
export interface SyntheticSpecOptions {
  operations?: number;
  schemas?: number;
  /** Lines of description text per schema, to reach a realistic size. */
  descriptionLines?: number;
}

type Json = Record<string, unknown>;

export function syntheticSpec({ operations = 300, schemas = 300, descriptionLines = 6 }: SyntheticSpecOptions = {}): Json {
  const description = (what: string) =>
    Array.from({ length: descriptionLines }, (_, line) => `${what}: line ${line + 1} of the description, written to give the document a realistic size.`).join('\n');
  const componentSchemas: Record<string, Json> = {};
  for (let index = 0; index < schemas; index++) {
    const next = `Resource${(index + 1) % schemas}`;
    componentSchemas[`Resource${index}`] = {
      type: 'object',
      description: description(`Resource${index}`),
      required: ['id', 'status', 'createdAt'],
      properties: {
        id: { type: 'string', format: 'uuid', description: 'Identifier.' },
        status: { type: 'string', enum: ['queued', 'running', 'done', 'failed'], description: 'State.' },
        createdAt: { type: 'string', format: 'date-time' },
        size: { type: 'integer', format: 'int64', minimum: 0 },
        labels: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 20 },
        owner: { type: ['string', 'null'] },
        metrics: { type: 'object', properties: { p50: { type: 'number' }, p99: { type: 'number' } } },
        ...(index % 3 === 0 ? { related: { $ref: `#/components/schemas/${next}` } } : {}),
      },
      example: { id: '7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f', status: 'done', createdAt: '2026-01-01T00:00:00Z', size: index },
    };
  }
  const paths: Record<string, Json> = {};
  for (let index = 0; index < operations; index++) {
    const schema = `Resource${index % schemas}`;
    paths[`/v1/collection${index}/{resource_id}`] = {
      get: {
        operationId: `getResource${index}`,
        summary: `Get resource ${index}`,
        description: description(`operation ${index}`),
        tags: [`group${index % 10}`],
        parameters: [
          { name: 'resource_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'expand', in: 'query', schema: { type: 'string', enum: ['owner', 'metrics'] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        ],
        responses: {
          '200': {
            description: 'The resource.',
            headers: { 'X-Request-Id': { schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
          },
          '404': { $ref: '#/components/responses/NotFound' },
          '429': { $ref: '#/components/responses/TooManyRequests' },
        },
      },
    };
  }
  const problem = { type: 'object', required: ['type', 'title'], properties: { type: { type: 'string' }, title: { type: 'string' }, detail: { type: ['string', 'null'] } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Synthetic API', version: '1.0.0', description: 'Generated for scale tests.' },
    servers: [{ url: 'https://synthetic.example.com' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...componentSchemas, Problem: problem },
      responses: {
        NotFound: { description: 'Not found.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        TooManyRequests: {
          description: 'Too many requests.',
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
  };
}

/**
 * Two releases of a synthetic API (`PLANTED_RELEASE_SIZE`, ~890 kB of JSON each): the second removes an
 * operation, adds a response enum value and removes a property. The diff's scale test and benchmark use it.
 */
export const PLANTED_RELEASE_SIZE = { operations: 320, schemas: 320, descriptionLines: 8 } as const;

export function plantedReleases(): { before: Json; after: Json } {
  const before = syntheticSpec(PLANTED_RELEASE_SIZE);
  const after = structuredClone(before) as {
    paths: Record<string, unknown>;
    components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
  };
  delete after.paths['/v1/collection7/{resource_id}'];
  after.components.schemas.Resource12?.properties.status?.enum?.push('paused');
  delete after.components.schemas.Resource40?.properties.labels;
  return { before, after };
}
