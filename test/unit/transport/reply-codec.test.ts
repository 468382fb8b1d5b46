import { describe, expect, it } from '@jest/globals';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { encodeReply } from '../../../lib/transport/reply-codec.js';

const request = { requestId: 'r-1', replyTo: 'replies', replyKey: 'instance-1' };
const json = new JsonSerializer();

describe('encodeReply', () => {
  it('targets the requester: reply topic, its key, the request id and the end flag', () => {
    const reply = encodeReply({ response: { ok: 1 }, isDisposed: true }, request, 'shop', json);
    expect(reply).toMatchObject({ stream: 'shop', topic: 'replies', partitionKey: 'instance-1' });
    expect(JSON.parse(reply.payload.toString())).toEqual({ response: { ok: 1 } });
    const keys = reply.headers.map((h) => String(h.key.value));
    expect(keys).toEqual(
      expect.arrayContaining([expect.stringContaining('request'), expect.stringContaining('end')]),
    );
  });

  it('answers a response the serializer refuses with an error saying so', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const reply = encodeReply({ response: cyclic, isDisposed: true }, request, 'shop', json);
    const body = JSON.parse(reply.payload.toString()) as { err: { status: string; message: string } };
    expect(body.err.status).toBe('error');
    expect(body.err.message).toMatch(/^the reply could not be serialized: /);
  });
});
