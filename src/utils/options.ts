/** `options` without its undefined entries, so that spreading it over defaults keeps the defaults for those. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
