export { createExpressGuard } from './create-express-guard.js';
export type {
  ExpressGuardOptions,
  GuardRoute,
  RouteContext,
  RouteGuardLocals,
  RouteHandler,
} from './create-express-guard.js';
export { sendGuardError } from './send-guard-error.js';
export type { SendGuardErrorOptions } from './send-guard-error.js';
