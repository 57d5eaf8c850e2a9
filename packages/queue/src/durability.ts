import { ConfigurationError, ConnectionError } from '@upstat/core';

/**
 * What the queue asks of Redis' storage. `durable` (the default): Redis must append every write to its AOF
 * (`appendonly yes`), or a restart loses every wait without a word; `startWorker` refuses to run otherwise.
 * `volatile`: the caller accepts that (a cache-only Redis, tests); a Redis that comes back empty is still reported.
 */
export type Storage = 'durable' | 'volatile';

export const STORAGES: readonly Storage[] = ['durable', 'volatile'];

/**
 * Redis came back without the queue's data (restarted without persistence, flushed, failed over to an empty
 * replica): the waits it held are gone. Reported through `onError`, once per worker and provider that notices it.
 * `waitsKnownBefore` is how many waits the provider's queue held at the worker's last count (every few seconds).
 */
export class RedisResetError extends ConnectionError {
  override readonly name: string = 'RedisResetError';
  readonly waitsKnownBefore: number;
  constructor(message: string, options: { queue: string; waitsKnownBefore: number }) {
    super(message, { provider: 'upstat', code: 'REDIS_RESET' });
    this.waitsKnownBefore = options.waitsKnownBefore;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), waitsKnownBefore: this.waitsKnownBefore };
  }
}

/** The Redis commands this module sends (ioredis' client under a BullMQ queue has them). */
export interface RedisCommands {
  info(section: string): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'NX'): Promise<string | null>;
  set(key: string, value: string, expiry: 'PX', milliseconds: number): Promise<string | null>;
  exists(key: string): Promise<number>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Refuses a Redis that does not append writes to its AOF unless `storage` is `volatile`, saying what to set.
 * Read from `INFO persistence` (`aof_enabled`), which managed Redis services allow where `CONFIG GET` is often
 * renamed away; a server that does not say is refused too, as not known to be durable.
 */
export async function checkPersistence(client: RedisCommands, storage: Storage): Promise<void> {
  if (storage === 'volatile') return;
  const info = await client.info('persistence');
  const aof = /^aof_enabled:(\d)/m.exec(info)?.[1];
  if (aof === '1') return;
  throw new ConfigurationError(
    `startWorker: Redis ${aof === undefined ? 'does not say whether it keeps an append-only file' : 'has appendonly no'}: a restart would lose every wait. ` +
      "Set `appendonly yes` (with `appendfsync everysec`) and `maxmemory-policy noeviction` in redis.conf, or pass storage: 'volatile' to createWaitQueue to accept losing waits.",
    { provider: 'upstat' },
  );
}

/**
 * The key that tells a Redis holding the queue's data from one that came back empty: written once (SET NX) and kept
 * for as long as the data is. Beside BullMQ's own keys for the provider's queue, with a name BullMQ does not use.
 */
export function markerKey(prefix: string, provider: string): string {
  return `${prefix}:${provider}:upstat-marker`;
}

/** Writes the marker if it is not there; true when it was already there (Redis holds the queue's data). */
export async function ensureMarker(client: RedisCommands, key: string): Promise<boolean> {
  const written = await client.set(key, new Date().toISOString(), 'NX');
  return written === null;
}

/**
 * The key that says some worker serves a provider: every running worker refreshes it for each provider it runs, and it
 * lapses `SERVED_TTL_MS` after the last one stops. Waits on a provider without it are ended at their deadline by the
 * workers of other providers (`reason: 'unserved'`), rather than sitting in Redis unchecked forever.
 */
export function servedKey(prefix: string, provider: string): string {
  return `${prefix}:${provider}:upstat-served`;
}

export const SERVED_TTL_MS = 15_000;

/** Says, for `SERVED_TTL_MS`, that this process serves `provider`. */
export function markServed(client: RedisCommands, prefix: string, provider: string): Promise<string | null> {
  return client.set(servedKey(prefix, provider), String(process.pid), 'PX', SERVED_TTL_MS);
}
