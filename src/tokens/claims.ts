/**
 * PASETO registered-claim checks, as paseto 4's Decrypt applies them (claimDate, stringClaim and
 * validateClaims in its index.ts), for the synchronous verifier in local-token.ts. The
 * differential test (test/unit/local-token.test.ts) holds the two to the same verdicts.
 */

/** A claim failed its check; the message says which. */
export class ClaimError extends Error {
  override readonly name = 'ClaimError';
}

// PASETO's registered times are RFC 3339 date-time strings (paseto's own pattern, kept as is).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/u;

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leapYear ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

/** An RFC 3339 claim as milliseconds since the epoch; undefined when absent. */
export function claimTime(claims: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf'): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (match === null) throw new ClaimError(`"${name}" must be an RFC 3339 date-time string`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  const offsetHour = match[10] === undefined ? 0 : Number(match[10]);
  const offsetMinute = match[11] === undefined ? 0 : Number(match[11]);
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) {
    throw new ClaimError(`"${name}" must be a valid RFC 3339 date-time`);
  }
  const millisecond = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0').slice(0, 3));
  let timestamp: number;
  if (year >= 100) {
    timestamp = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  } else {
    // Date.UTC reads years 0 to 99 as 1900 to 1999; setUTCFullYear takes them as written.
    const instant = new Date(0);
    instant.setUTCFullYear(year, month - 1, day);
    instant.setUTCHours(hour, minute, second, millisecond);
    timestamp = instant.valueOf();
  }
  if (match[8] !== 'Z') timestamp -= (match[9] === '+' ? 1 : -1) * (offsetHour * 60 + offsetMinute) * 60_000;
  return timestamp;
}

/**
 * Checks the registered claims at `now` (ms): exp required and not passed, nbf and iat not in
 * the future, aud/iss/sub/jti strings when present, iss equal to `issuer`. No clock tolerance.
 * Returns the times it read (ms since the epoch), so that callers need not parse them again.
 */
export function checkRegisteredClaims(
  claims: Record<string, unknown>,
  issuer: string,
  now: number,
): { exp: number; iat: number | undefined } {
  const exp = claimTime(claims, 'exp');
  const iat = claimTime(claims, 'iat');
  const nbf = claimTime(claims, 'nbf');
  for (const name of ['aud', 'iss', 'sub', 'jti'] as const) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') throw new ClaimError(`"${name}" must be a string`);
  }
  if (exp === undefined) throw new ClaimError('Missing required "exp" claim');
  if (now > exp) throw new ClaimError('Token has expired');
  if (nbf !== undefined && now < nbf) throw new ClaimError('Token is not active yet');
  if (iat !== undefined && now < iat) throw new ClaimError('Token was issued in the future');
  if (claims.iss !== issuer) throw new ClaimError('Unexpected "iss" claim');
  return { exp, iat };
}
