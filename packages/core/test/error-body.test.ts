import { describe, expect, it } from 'vitest';
import { summarizeErrorBody } from '../src/error-body.js';

describe('summarizeErrorBody', () => {
  it('reads RFC 7807 problem details (Document360)', () => {
    expect(
      summarizeErrorBody({ type: 'https://x/errors/not-found', title: 'Not Found.', status: 404, detail: 'Gone.', trace_id: 'req_a' }),
    ).toEqual({ message: 'Not Found. — Gone.', requestId: 'req_a' });
  });

  it('reads the error envelope (Nullspace)', () => {
    expect(
      summarizeErrorBody({ error: { code: 'sandbox_not_found', message: 'No sandbox.', hint: 'Check the id.', request_id: 'req_b' } }),
    ).toEqual({ message: 'No sandbox. [sandbox_not_found] — hint: Check the id.', requestId: 'req_b' });
  });

  it('reads {type, detail} and PandaDoc 409 info_message', () => {
    expect(summarizeErrorBody({ type: 'request_error', detail: 'Not found' })).toEqual({ message: 'Not found [request_error]' });
    expect(summarizeErrorBody({ id: 'x', status: 'document.uploaded', info_message: 'Wait.' })).toEqual({ message: 'Wait.' });
  });

  it('falls back to request-id headers and ignores unknown shapes', () => {
    expect(summarizeErrorBody('<html>', new Headers({ 'x-request-id': 'hdr_1' }))).toEqual({ requestId: 'hdr_1' });
    expect(summarizeErrorBody([1, 2])).toEqual({});
    expect(summarizeErrorBody(undefined)).toEqual({});
  });
});
