/**
 * Reads one of a fixed set of values from a URL query parameter (`?backend=`, `?inference=`).
 * @param search a query string (`location.search`)
 * @param valid the accepted values, lower case
 * @param invalid makes the error for a value that is not one of them (it names the valid values)
 * @returns the value, trimmed and lower-cased; undefined when the parameter is absent or empty
 * @throws the error `invalid` makes
 */
export function queryChoice<T extends string>(
  search: string,
  param: string,
  valid: readonly T[],
  invalid: (value: string) => Error,
): T | undefined {
  const value = new URLSearchParams(search).get(param);
  if (value === null || value.trim() === '') return undefined;
  const choice = value.trim().toLowerCase();
  if (!(valid as readonly string[]).includes(choice)) throw invalid(value);
  return choice as T;
}
