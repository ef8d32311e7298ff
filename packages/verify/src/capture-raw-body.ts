import type { IncomingMessage } from 'node:http';

/**
 * A `verify` callback for body parsers that keeps the exact bytes received on
 * `req.rawBody`, so that {@link verifyMiddleware} can run after the parser.
 *
 * @example
 * app.use(express.json({ verify: captureRawBody }));
 * app.use(verifyMiddleware({ keys }));
 */
export function captureRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
}
