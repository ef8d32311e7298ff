/**
 * Where the library reports what a developer should know. The library never writes to the
 * console; pass your logger (pino, winston and console all fit this shape).
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that discards everything: the default. */
export const silentLogger: Logger = Object.freeze({
  warn() {},
  error() {},
});
