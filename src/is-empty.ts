/** An object with no own enumerable key (`{}`), found without listing its keys. */
export function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}
