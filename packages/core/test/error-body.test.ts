import { describe, expect, it } from 'vitest';
import { summarizeErrorBody } from '../src/error-body.js';

describe('summarizeErrorBody (the generic reader; vendors read their own shapes in their definitions)', () => {
  it('reads RFC 7807 problem details', () => {
    expect(
      summarizeErrorBody({ type: 'https://x/errors/not-found', title: 'Not Found.', status: 404, detail: 'Gone.', trace_id: 'req_a' }),
    ).toEqual({ message: 'Not Found. — Gone.', requestId: 'req_a' });
  });

  it('reads an error envelope, leaving fields it does not know alone', () => {
    expect(summarizeErrorBody({ error: { code: 'sandbox_not_found', message: 'No sandbox.', hint: 'Check the id.', request_id: 'req_b' } })).toEqual({
      message: 'No sandbox. [sandbox_not_found]',
      requestId: 'req_b',
    });
  });

  it('reads top-level detail, message or error with a type or code', () => {
    expect(summarizeErrorBody({ type: 'request_error', detail: 'Not found' })).toEqual({ message: 'Not found [request_error]' });
    expect(summarizeErrorBody({ message: 'Slow down', code: 'throttled', requestId: 'r9' })).toEqual({ message: 'Slow down [throttled]', requestId: 'r9' });
    expect(summarizeErrorBody({ error: 'invalid_token' })).toEqual({ message: 'invalid_token' });
  });

  it('ignores unknown shapes', () => {
    expect(summarizeErrorBody('<html>')).toEqual({});
    expect(summarizeErrorBody([1, 2])).toEqual({});
    expect(summarizeErrorBody(undefined)).toEqual({});
    expect(summarizeErrorBody({ id: 'x', info_message: 'Wait.' })).toEqual({});
  });
});
