/**
 * JSON text sent as it was written: a value JSON.parse would change on the way back out (a number
 * past 2^53, 1.50, 1e2) goes into a request body unchanged. The text must be valid JSON (checked
 * by whoever made it).
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * JSON.stringify, with each JsonText in `value` replaced by its own text. In the serialised body a
 * marker string stands for each until it is replaced: one with a nonce of this call's, which no
 * other string of the body can hold by chance.
 */
export function stringifyWithJsonText(value: unknown): string {
  const texts: string[] = [];
  const marker = `json-text-${Math.random().toString(36).slice(2)}-`;
  const serialised = JSON.stringify(value, (_key, inner: unknown) => (inner instanceof JsonText ? `${marker}${texts.push(inner.text) - 1}` : inner));
  if (texts.length === 0) return serialised;
  return serialised.replace(new RegExp(`"${marker}(\\d+)"`, 'g'), (_match, index: string) => texts[Number(index)]!);
}
