export { createExpressGuard } from './create-express-guard.js';
export type {
  ExpressGuardOptions,
  GuardRoute,
  RouteContext,
  RouteGuardLocals,
  RouteHandler,
} from './create-express-guard.js';
export { challengeHeader } from './challenge-header.js';
export type { ChallengeOptions, HttpChallenge } from './challenge-header.js';
export { sendGuardError } from './send-guard-error.js';
export type { SendGuardErrorOptions } from './send-guard-error.js';
