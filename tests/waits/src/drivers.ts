/**
 * Every driver of core's wait engine, behind one interface: given a behaviour of the table and the server's URL, wait
 * for one upload the way a user of that driver would, and report how the wait ended in the same terms.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nullspace } from '@upstat/nullspace';
import { createWaitQueue } from '@upstat/queue';
import type { RedisServer } from '@upstat/test-support';
import { AbortError, createUpstat, UploadFailedError, UpstatError, WaitTimeoutError, type AnyStatus, type WaitOptions } from 'upstat';
import type { Behaviour } from './behaviours.js';
import type { ScriptedServer } from './server.js';

/** How a wait ended, as every driver reports it. */
export interface Observed {
  /** The state it resolved with, or the error's kind and, for `wait_timeout`, its reason. */
  outcome: { ok: string } | { error: string; reason?: string | undefined };
  /** The state of the status the outcome carries, null when none. */
  lastState: string | null;
  message?: string | undefined;
  /** `upstat wait`'s exit code (the command line only). */
  exit?: number | undefined;
}

export interface RunContext {
  server: ScriptedServer;
  /** The upload this run waits for (each run has its own). */
  upload: string;
}

export interface Driver {
  name: string;
  /** Why a behaviour does not apply to this driver; undefined when it does. */
  notApplicable?: (behaviour: Behaviour) => string | undefined;
  run(behaviour: Behaviour, context: RunContext): Promise<Observed>;
}

const API_KEY = 'wait-tests-key';
export const refOf = (upload: string) => `nullspace:sb_waits/${upload}`;

function lastStateOf(error: unknown): string | null {
  const carried: unknown =
    error instanceof WaitTimeoutError || error instanceof AbortError ? error.lastStatus : error instanceof UploadFailedError ? error.finalStatus : undefined;
  return (carried as AnyStatus | undefined)?.state ?? null;
}

/** What a library call's promise says, in the table's terms. */
async function observe(promise: Promise<AnyStatus>): Promise<Observed> {
  try {
    const status = await promise;
    return { outcome: { ok: status.state }, lastState: status.state };
  } catch (error) {
    if (!(error instanceof UpstatError)) throw error;
    return {
      outcome: { error: error.kind, reason: error instanceof WaitTimeoutError ? error.reason : undefined },
      lastState: lastStateOf(error),
      message: error.message,
    };
  }
}

/** Aborts the caller's signal once the server has answered the behaviour's `abortAfter` requests and the wait sleeps. */
function abortOnCue(behaviour: Behaviour, context: RunContext, abort: () => void): void {
  const after = behaviour.abortAfter;
  if (after === undefined) return;
  void context.server.answered(context.upload, after).then(() => {
    setTimeout(abort, 150);
  });
}

function libraryOptions(behaviour: Behaviour, signal: AbortSignal): WaitOptions {
  const { requestTimeoutMs, ...rest } = behaviour.settings;
  return { ...rest, ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }), signal };
}

/** `wait`, `watch` and `waitAll` of a facade made for the run. */
function library(name: 'wait' | 'watch' | 'waitAll'): Driver {
  return {
    name: `upstat.${name}`,
    run(behaviour, context) {
      const upstat = createUpstat({ providers: [nullspace({ apiKey: API_KEY, baseUrl: context.server.url })] });
      const controller = new AbortController();
      abortOnCue(behaviour, context, () => {
        controller.abort();
      });
      const options = libraryOptions(behaviour, controller.signal);
      const ref = refOf(context.upload);
      if (name === 'waitAll') {
        return observe(
          upstat.waitAll([ref], options).then(([result]) => {
            if (result === undefined) throw new Error('waitAll gave no result');
            if (result.ok) return result.status;
            throw result.error;
          }),
        );
      }
      return observe(name === 'wait' ? upstat.wait(ref, options) : upstat.watch(ref, options));
    },
  };
}

/** A queue worker on a real Redis: the wait added as a durable job, its outcome delivered to `onOutcome`. */
function queue(redis: () => RedisServer): Driver {
  let run = 0;
  return {
    name: '@upstat/queue worker',
    notApplicable: (behaviour) =>
      behaviour.abortAfter === undefined ? undefined : 'a durable wait has no caller to abort it (it outlives any one process)',
    async run(behaviour, context) {
      run += 1;
      const upstat = createUpstat({ providers: [nullspace({ apiKey: API_KEY, baseUrl: context.server.url })] });
      const { requestTimeoutMs, ...settings } = behaviour.settings;
      const waits = createWaitQueue({ upstat, connection: redis().url, prefix: `conformance${run}`, ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }) });
      try {
        const outcome = new Promise<Observed>((resolve) => {
          void waits.startWorker({
            onOutcome: (delivered) => {
              resolve(
                delivered.ok
                  ? { outcome: { ok: delivered.status.state }, lastState: delivered.status.state }
                  : {
                      outcome: { error: delivered.error.kind, reason: delivered.error instanceof WaitTimeoutError ? delivered.error.reason : undefined },
                      lastState: lastStateOf(delivered.error),
                      message: delivered.error.message,
                    },
              );
            },
            onError: () => undefined,
          });
        });
        await waits.add(refOf(context.upload), settings);
        return await outcome;
      } finally {
        await waits.close();
      }
    },
  };
}

const cliBin = join(dirname(createRequire(import.meta.url).resolve('@upstat/cli/package.json')), 'bin', 'upstat.js');

/** `upstat wait <ref> --json`, a child process; Ctrl-C is SIGINT. */
const cli: Driver = {
  name: 'upstat wait (the command)',
  run(behaviour, context) {
    const { timeoutMs, minDelayMs, maxDelayMs, requestTimeoutMs, maxFailures, accept, stopOn } = behaviour.settings;
    const args = ['wait', refOf(context.upload), '--json', '--timeout', `${timeoutMs}ms`, '--min-delay', `${minDelayMs}ms`, '--max-delay', `${maxDelayMs}ms`];
    if (requestTimeoutMs !== undefined) args.push('--request-timeout', `${requestTimeoutMs}ms`);
    if (maxFailures !== undefined) args.push('--max-failures', String(maxFailures));
    if (accept !== undefined) args.push('--accept', accept.join(','));
    if (stopOn !== undefined) args.push('--stop-on', stopOn.join(','));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('UPSTAT_')));
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { ...env, UPSTAT_NULLSPACE_API_KEY: API_KEY, UPSTAT_NULLSPACE_BASE_URL: context.server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    abortOnCue(behaviour, context, () => child.kill('SIGINT'));
    return new Promise<Observed>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => {
        const last = stdout.trimEnd().split('\n').at(-1) ?? '';
        let line: { type?: string; state?: string; error?: { kind?: string; message?: string; reason?: string | null }; lastStatus?: { state?: string } | null };
        try {
          line = JSON.parse(last) as typeof line;
        } catch {
          reject(new Error(`upstat wait printed no JSON line (exit ${String(code)}): ${stdout}${stderr}`));
          return;
        }
        const exit = code ?? -1;
        if (line.type === 'status') {
          resolve({ outcome: { ok: line.state ?? '' }, lastState: line.state ?? null, exit });
          return;
        }
        const message = line.error?.message ?? '';
        // The command's kinds are the library's, but for an interruption (Ctrl-C: the library's `abort`).
        const kind = line.error?.kind === 'interrupted' ? 'abort' : (line.error?.kind ?? '');
        resolve({ outcome: { error: kind, reason: line.error?.reason ?? undefined }, lastState: line.lastStatus?.state ?? null, message, exit });
      });
    });
  },
};

/** Every driver, the queue's on the given Redis. */
export function drivers(redis: () => RedisServer): Driver[] {
  return [library('wait'), library('watch'), library('waitAll'), queue(redis), cli];
}
