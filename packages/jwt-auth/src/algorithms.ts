/** Every signature algorithm `jwtAuth` accepts in an allow-list. `none` is never accepted. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** A signature algorithm `jwtAuth` can verify. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
