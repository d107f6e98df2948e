/** What the app says about its stores' moves from earlier versions, localised. */
import { msg, str } from '@lit/localize';

/** Damaged captures of an earlier version left in the old database, a few of them by name. */
export function legacyProblemsNotice(problems: readonly string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  const count = problems.length;
  const listed = count > 3 ? msg(str`${shown}; and ${count - 3} more`) : shown;
  return msg(
    str`${count} captures of the earlier version could not be read and were left in the old database (${listed}). Every other capture was moved.`,
  );
}
