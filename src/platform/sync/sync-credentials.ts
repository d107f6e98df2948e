/**
 * The sync password: kept in memory while the app runs, and stored only with the browser's password
 * manager through the Credential Management API (`PasswordCredential`, Chromium-based browsers), never
 * in localStorage or IndexedDB. Where the API is missing (Safari, Firefox) the inspector enters the
 * password again after the app restarts.
 */

/** A password and the user it belongs to. */
export interface SyncCredentials {
  user: string;
  password: string;
}

interface PasswordCredentialInit {
  id: string;
  password: string;
  name?: string;
}
interface PasswordCredentialLike {
  readonly type: string;
  readonly id: string;
  readonly password?: string;
}
type PasswordCredentialConstructor = new (init: PasswordCredentialInit) => PasswordCredentialLike;

/** The password manager where this browser offers one to pages (else undefined). */
function passwordManager(): { ctor: PasswordCredentialConstructor; container: CredentialsContainer } | undefined {
  const ctor = (globalThis as { PasswordCredential?: PasswordCredentialConstructor }).PasswordCredential;
  const container = typeof navigator === 'undefined' ? undefined : navigator.credentials;
  return ctor && container ? { ctor, container } : undefined;
}

/** Offers the password to the browser's password manager; resolves false where there is none or it declined. */
export async function rememberPassword(credentials: SyncCredentials, databaseUrl: string): Promise<boolean> {
  const manager = passwordManager();
  if (!manager || !credentials.user) return false;
  try {
    const credential = new manager.ctor({ id: credentials.user, password: credentials.password, name: databaseUrl });
    await manager.container.store(credential as unknown as Credential);
    return true;
  } catch {
    return false;
  }
}

/** The password the browser's password manager holds for `user`, without asking the inspector; else undefined. */
export async function recallPassword(user: string): Promise<string | undefined> {
  const manager = passwordManager();
  if (!manager || !user) return undefined;
  try {
    const found = (await manager.container.get({
      password: true,
      mediation: 'silent',
    } as CredentialRequestOptions)) as PasswordCredentialLike | null;
    return found?.type === 'password' && found.id === user ? found.password : undefined;
  } catch {
    return undefined;
  }
}
