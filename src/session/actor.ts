import { userInfo } from 'node:os';

/** The person's login name, as approvals and rollbacks record who did them. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
