/**
 * Bearer-token checks shared by the model server and the dashboard: with a token set, a request
 * must carry `Authorization: Bearer <token>` exactly, compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Whether `req` may pass: always when `token` is null, else only with the right bearer header.
 *
 * @example
 * if (!authorized(req, 's3cret')) res.writeHead(401, { 'www-authenticate': 'Bearer' });
 */
export function authorized(req: IncomingMessage, token: string | null): boolean {
  if (token === null) return true;
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
