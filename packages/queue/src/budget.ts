import { ConfigurationError, type RequestBudget } from '@upstat/core';

/** BullMQ's rate limiter: at most `max` jobs started per `duration` ms, counted in Redis across every worker. */
export interface Limiter {
  max: number;
  duration: number;
}

/**
 * Without a budget the limiter is still there, far above any real rate: BullMQ only honours a queue-wide
 * pause (`queue.rateLimit`, which a 429 sets) on a queue whose workers have a limiter.
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
 * A rate as BullMQ's limiter: `max` jobs per `duration` ms with `max / duration` equal to the rate, so 0.5/s
 * is 1 per 2 s and 2.5/s is 3 per 1.2 s (bursts of up to about one second's worth, as core's token bucket).
 */
export function limiterFor(budget: RequestBudget | undefined): Limiter {
  const rate = budget?.requestsPerSecond;
  if (rate === undefined) return UNLIMITED;
  const max = Math.max(1, Math.round(rate));
  return { max, duration: Math.max(1, Math.round((max * 1000) / rate)) };
}
