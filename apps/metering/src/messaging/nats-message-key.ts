import type { JsMsg } from 'nats';

/** A key naming one stored stream message (for dead letters that must be kept once per message). */
export function natsMessageKey(message: JsMsg): string {
  const { stream, streamSequence, timestampNanos } = message.info;
  return `${stream}:${streamSequence}:${timestampNanos}`;
}

const decoder = new TextDecoder();

/** The message's payload as text (invalid UTF-8 becomes U+FFFD). */
export function messageText(message: JsMsg): string {
  return decoder.decode(message.data);
}
