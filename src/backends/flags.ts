/** A flag's value from commander's options, when it was given. */
export function given<T>(options: Readonly<Record<string, unknown>>, key: string): T | undefined {
  return options[key] as T | undefined;
}

/** The message of a validation, for a prompt that shows it and asks again. */
export function validationMessage(fn: () => unknown): true | string {
  try {
    fn();
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}
