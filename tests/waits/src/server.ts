/** The scripted server (`@upstat/test-support`) speaking Nullspace: its session example at the status a script says. */
import { definition } from '@upstat/nullspace';
import { scriptedServer, successExample, type Answer, type Script, type ScriptedServer } from '@upstat/test-support';

export type { Answer, ScriptedServer };

const CONTENT_LENGTH = 1_000_000;

/** A Nullspace upload session body: the spec's own example, at the given status and progress. */
function sessionBody(upload: string, status: string, fraction = status === 'completed' ? 1 : 0.5): Record<string, unknown> {
  return {
    ...(successExample(definition.id, definition.operation.path) as Record<string, unknown>),
    upload_id: upload,
    status,
    content_length: CONTENT_LENGTH,
    accepted_bytes: Math.round(CONTENT_LENGTH * fraction),
  };
}

export function nullspaceServer(script: Script): Promise<ScriptedServer> {
  return scriptedServer(script, sessionBody);
}
