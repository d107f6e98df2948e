/**
 * Runs a store's move from its legacy database once per page and database (again after a failed one):
 * every store opened while the move runs waits for the same one.
 */

/** A runner that starts `run` for `key` unless a run for `key` is under way or has succeeded. */
export function oncePerKey<T>(): (key: string, run: () => Promise<T>) => Promise<T> {
  const runs = new Map<string, Promise<T>>();
  return (key, run) => {
    let started = runs.get(key);
    if (!started) {
      started = run();
      runs.set(key, started);
      started.catch(() => runs.delete(key));
    }
    return started;
  };
}

/** A store's error class: a kind, a message and the cause. */
type StoreErrorClass<K extends string, E extends Error & { kind: K }> = new (
  kind: K,
  message: string,
  cause?: unknown,
) => E;

/**
 * The error of an interrupted move of `what` (captures, findings) as the store's own error class: what
 * went wrong (keeping the kind of a store error, else `write`), and that nothing was lost.
 */
export function interruptedMoveError<K extends string, E extends Error & { kind: K }>(
  ErrorClass: StoreErrorClass<K, E>,
  what: string,
  e: unknown,
  otherKind: NoInfer<K>,
  detail: (e: unknown) => string,
): E {
  const own = e instanceof ErrorClass;
  return new ErrorClass(
    own ? e.kind : otherKind,
    `The ${what} of the earlier version could not all be moved to the new store (${own ? e.message : detail(e)}). They are kept in the old database and the move resumes the next time the app opens.`,
    e,
  );
}
