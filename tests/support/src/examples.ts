import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-copy.js';

interface MediaType {
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}
interface EffectiveSpec {
  paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, MediaType> }> } } | undefined>;
}

/**
 * The JSON example of a GET operation's 200 response in a provider's effective spec (`example`, or the first of
 * `examples`): the bodies the benchmarks serve are the vendor's own.
 */
export function successExample(provider: string, path: string): unknown {
  const spec = JSON.parse(readFileSync(join(repoRoot, 'packages', provider, 'openapi.json'), 'utf8')) as EffectiveSpec;
  const media = spec.paths[path]?.get?.responses['200']?.content?.['application/json'];
  const example = media?.example ?? Object.values(media?.examples ?? {})[0]?.value;
  if (example === undefined) throw new Error(`${provider}'s spec has no 200 example for GET ${path}`);
  return example;
}
