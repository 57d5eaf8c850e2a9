import { ConfigurationError } from '@upstat/core';
import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` or `rediss://` (TLS) URL, or ioredis options (`host`, `port`, `password`, `tls`, …). */
export type RedisConnection = string | RedisOptions;

/**
 * The connection as BullMQ takes it, checked: a URL must be `redis:` or `rediss:` with a host, a database
 * number when it names one. Never echoes a password.
 */
export function checkConnection(connection: unknown): ConnectionOptions {
  const fail = (problem: string) =>
    new ConfigurationError(`createWaitQueue: connection ${problem}.`, { provider: 'upstat' });
  if (typeof connection === 'string') {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      // Not echoed: a connection string may hold a password wherever it is malformed.
      throw fail('must be a redis:// or rediss:// URL or ioredis options, got a string that is not a URL');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw fail(`must be a redis:// or rediss:// (TLS) URL, got ${url.protocol}//…`);
    }
    if (url.hostname === '') throw fail('URL has no host');
    const db = url.pathname.replace(/^\//, '');
    if (db !== '' && !/^\d+$/.test(db)) throw fail(`URL path must be a database number, got /${db.slice(0, 20)}`);
    return { url: connection };
  }
  if (connection === null || typeof connection !== 'object' || Array.isArray(connection)) {
    throw fail(`must be a redis:// or rediss:// URL or ioredis options ({ host, port, password, tls }), got ${connection === null ? 'null' : typeof connection}`);
  }
  // ioredis options as given; BullMQ passes them on to ioredis (and sets what its blocking connections need).
  return { ...(connection as Record<string, unknown>) };
}
