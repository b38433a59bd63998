/**
 * A URL as gatehouse prints it (log lines, error messages, command output): a password in it is
 * shown as `***`, so it says that one is used without saying what it is.
 */
export function maskedUrl(url: string | URL): string {
  const copy = new URL(url);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}
