import { DEAD_LETTER_MAX_CHARS, deadLetterPayloadJson } from './metering.repository';

describe('deadLetterPayloadJson (R6.3: a refused message can always be kept)', () => {
  it('keeps an ordinary payload as it was received', () => {
    const payload = { id: 'e-1', quantity: -1, nested: { list: [1, 'two', null] } };
    expect(JSON.parse(deadLetterPayloadJson(payload))).toEqual(payload);
    expect(JSON.parse(deadLetterPayloadJson('{"id": "broken'))).toBe('{"id": "broken');
  });

  it('replaces NUL characters, which jsonb cannot hold, and only them', () => {
    expect(JSON.parse(deadLetterPayloadJson({ id: 'a\u0000b', text: 'x\\u0000y' }))).toEqual({ id: 'a\ufffdb', text: 'x\\u0000y' });
    expect(JSON.parse(deadLetterPayloadJson('\u0000\u0000'))).toBe('\ufffd\ufffd');
  });

  it('keeps a payload nested too deep for jsonb (or for the serializer) as the text received', () => {
    const text = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const deep = JSON.parse(text) as unknown;
    expect(JSON.parse(deadLetterPayloadJson(deep, text)) === text).toBe(true);
    const moderate = JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`) as unknown;
    expect(JSON.parse(deadLetterPayloadJson(moderate)) === `${'['.repeat(300)}${']'.repeat(300)}`).toBe(true);
    expect(JSON.parse(deadLetterPayloadJson(deep))).toBe('(payload not representable)');
  });

  it('truncates a payload longer than the limit', () => {
    const kept = JSON.parse(deadLetterPayloadJson({ id: 'x'.repeat(DEAD_LETTER_MAX_CHARS * 2) })) as string;
    expect(kept).toHaveLength(DEAD_LETTER_MAX_CHARS + 1);
    expect(kept.endsWith('…')).toBe(true);
  });
});
