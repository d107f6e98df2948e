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
