import { ConfigurationError, type RequestBudget } from '@upstat/core';

/** BullMQ's rate limiter: at most `max` jobs started per `duration` ms (fixed windows), counted in Redis. */
export interface Limiter {
  max: number;
  duration: number;
}

/**
 * The limiter every worker gets, far above any real rate: the budget's rate is the sliding window below, but BullMQ
 * only honours a queue-wide pause (`queue.rateLimit`, which a 429 sets) on a queue whose workers have a limiter.
 */
export const UNLIMITED: Limiter = { max: 1_000_000, duration: 1_000 };

/** What is wrong with a provider's budget, one phrase per problem. */
export function budgetProblems(provider: string, budget: unknown): string[] {
  if (budget === null || typeof budget !== 'object') return [`budget.${provider} must be an object { requestsPerSecond?, concurrency? }`];
  const { requestsPerSecond, concurrency } = budget as Record<string, unknown>;
  const problems: string[] = [];
  if (requestsPerSecond !== undefined && (typeof requestsPerSecond !== 'number' || !Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0)) {
    problems.push(`budget.${provider}.requestsPerSecond must be a number > 0, got ${shown(requestsPerSecond)}`);
  }
  if (concurrency !== undefined && (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1)) {
    problems.push(`budget.${provider}.concurrency must be a whole number ≥ 1, got ${shown(concurrency)}`);
  }
  return problems;
}

function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value;
}

/** Every budget checked against the providers the facade has; a `ConfigurationError` naming each problem. */
export function checkBudgets(budgets: unknown, providers: readonly string[]): Readonly<Record<string, RequestBudget>> {
  if (budgets === undefined) return {};
  if (budgets === null || typeof budgets !== 'object' || Array.isArray(budgets)) {
    throw new ConfigurationError('createWaitQueue: budget must be an object keyed by provider id, e.g. { nullspace: { requestsPerSecond: 10 } }.', {
      provider: 'upstat',
    });
  }
  const problems: string[] = [];
  for (const [provider, budget] of Object.entries(budgets)) {
    if (!providers.includes(provider)) problems.push(`budget names ${JSON.stringify(provider)}, which is not one of the facade's providers (${providers.join(', ')})`);
    else problems.push(...budgetProblems(provider, budget));
  }
  if (problems.length > 0) throw new ConfigurationError(`createWaitQueue: ${problems.join('; ')}.`, { provider: 'upstat' });
  return budgets as Record<string, RequestBudget>;
}

/**
 * A hard cap on status requests started in any rolling window, across every worker process, on Redis' clock: a
 * sliding-window log in a sorted set, changed by one script so that two workers never both take the last start.
 * The window is core's (`rateWindow`, as `RequestGate` applies it in one process): at most ⌈requestsPerSecond⌉ starts in any ⌈rps⌉/rps seconds, so at most
 * ⌈rps⌉ in any rolling second (BullMQ's own limiter counts fixed windows, which let twice the rate through across a
 * window's edge). Returns 0 when this start is counted, else the milliseconds until one may be.
 */
export const SLIDING_WINDOW_SCRIPT = `
redis.replicate_commands()
local key = KEYS[1]
local starts = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < starts then
  local sequence = redis.call('INCR', key .. ':sequence')
  redis.call('ZADD', key, now, now .. ':' .. sequence)
  redis.call('PEXPIRE', key, math.ceil(window) + 1000)
  redis.call('PEXPIRE', key .. ':sequence', math.ceil(window) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
`;

/** The key of a provider's window, beside BullMQ's keys for its queue. */
export function windowKey(prefix: string, provider: string): string {
  return `${prefix}:${provider}:upstat-rate`;
}
