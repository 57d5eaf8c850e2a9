import { describe, expect, it } from 'vitest';
import { parseRateLimitReset, parseRetryAfter, requestedWait } from '../src/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('%j → %d ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([null, undefined, '', '-5', '1.5', 'soon', '12abc'])('%j is not a usable Retry-After', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('parseRateLimitReset', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds to wait and Unix times', () => {
    expect(parseRateLimitReset('30', now)).toBe(30_000);
    expect(parseRateLimitReset(String(now / 1000 + 45), now)).toBe(45_000);
    expect(parseRateLimitReset(String(now / 1000 - 5), now)).toBe(0);
    expect(parseRateLimitReset('soon', now)).toBeUndefined();
    expect(parseRateLimitReset(null, now)).toBeUndefined();
  });
});

describe('requestedWait', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('prefers Retry-After and reads X-RateLimit-Reset only on a 429', () => {
    const both = new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '60' });
    expect(requestedWait(new Response(null, { status: 429, headers: both }), now)).toBe(2_000);
    const resetOnly = new Headers({ 'x-ratelimit-reset': '60' });
    expect(requestedWait(new Response(null, { status: 429, headers: resetOnly }), now)).toBe(60_000);
    expect(requestedWait(new Response(null, { status: 503, headers: resetOnly }), now)).toBeUndefined();
    expect(requestedWait(new Response(null, { status: 503, headers: { 'retry-after': '3' } }), now)).toBe(3_000);
  });
});
