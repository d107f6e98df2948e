/**
 * What the inspector chose about team models on this device, kept in one `_local/` document (never
 * replicated): the models deleted from this library (`hidden`: team sync never adds them back) and the
 * models whose sharing was stopped here (`unshared`: not shared again automatically, only when the
 * inspector shares them again).
 */
import type { LocalDb } from './local-db';

const CHOICES_ID = '_local/team-model-choices';

/** The library ids of each choice. */
export interface ModelShareChoices {
  hidden: string[];
  unshared: string[];
}

type Choice = keyof ModelShareChoices;

/** This device's choices (none yet: empty lists). */
export async function loadModelShareChoices(db: LocalDb): Promise<ModelShareChoices> {
  const doc = await db.get<Partial<ModelShareChoices>>(CHOICES_ID).catch(() => undefined);
  return { hidden: doc?.hidden ?? [], unshared: doc?.unshared ?? [] };
}

/** Adds (`on`) or removes library id `id` from list `choice`. */
export async function setModelShareChoice(db: LocalDb, choice: Choice, id: string, on: boolean): Promise<void> {
  const doc = await db.get<Partial<ModelShareChoices>>(CHOICES_ID).catch(() => undefined);
  const current = { hidden: doc?.hidden ?? [], unshared: doc?.unshared ?? [] };
  const others = current[choice].filter((x) => x !== id);
  const next = { ...current, [choice]: on ? [...others, id] : others };
  await db.put({ _id: CHOICES_ID, ...(doc?._rev ? { _rev: doc._rev } : {}), ...next });
}
