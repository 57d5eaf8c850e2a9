// One memory measurement of the guarantees benchmark, in a fresh process so that its peak RSS is its own.
// argv: variant ('upstat' | 'bare openapi-fetch'), server URL. Warms up with one ordinary status call, then makes
// one call whose body is a 200 MB stream, and prints JSON: the peak RSS growth over the warmed-up process, and
// how the call ended.
import createClient from 'openapi-fetch';
import { applyCredential } from '@upstat/core';
import { definition, sendai, type paths } from '@upstat/sendai';
import { createUpstat } from 'upstat';

const [variant, url] = process.argv.slice(2) as [string, string];
const PATH = '/v2/{team_id}/project/{project_id}/upload/{upload_id}';
const params = { path: { team_id: 'team_1', project_id: 'proj_1', upload_id: 'upl_1' } };

function call(mode: string): () => Promise<string> {
  if (variant === 'upstat') {
    const upstat = createUpstat({ providers: [sendai({ apiKey: 'bench-key', baseUrl: `${url}/${mode}`, retry: false })] });
    return () => upstat.status('sendai:team_1/proj_1/upl_1').then(
      (status) => `status ${status.state}`,
      (error: unknown) => (error instanceof Error ? error.name : 'error'),
    );
  }
  // The same credential where the definition says it goes, as upstat sends it.
  const bare = createClient<paths>({ baseUrl: `${url}/${mode}`, headers: applyCredential(definition.credentials[0].scheme, ['bench-key']).headers });
  return () => bare.GET(PATH, { params }).then(
    () => 'data',
    (error: unknown) => (error instanceof Error ? error.name : 'error'),
  );
}

const peakBytes = () => process.resourceUsage().maxRSS * 1024;
await call('ok')();
await call('ok')();
const before = peakBytes();
const outcome = await call('stream')();
console.log(JSON.stringify({ growthBytes: Math.max(0, peakBytes() - before), outcome }));
