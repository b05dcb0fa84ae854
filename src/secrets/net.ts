import { findSecrets, redactKnown, worthMaskingEverywhere } from './redact.js';

/**
 * The secrets a run has seen (in its environment, its arguments, the files it read), masked in
 * everything it writes: a net under the renderers, which mask by position themselves. Only values
 * that look like credentials go in (see worthMaskingEverywhere): a plain word such as `postgres`
 * would mask image and service names too.
 */
export class SecretNet {
  private readonly values = new Set<string>();

  add(values: Iterable<string>): void {
    for (const value of values) if (worthMaskingEverywhere(value)) this.values.add(value);
  }

  /** Every secret that `.env`, compose or other text files hold by position or shape. */
  addFromTexts(texts: Iterable<string | undefined>): void {
    for (const text of texts) if (text) this.add(findSecrets(text));
  }

  clean(text: string): string {
    return this.values.size === 0 && !text.includes('://') ? text : redactKnown(text, this.values);
  }
}
