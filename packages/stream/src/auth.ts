/**
 * The extension point through which s2s authentication methods plug into a
 * stream: SASL EXTERNAL (this package) and Server Dialback
 * (`@xmpp-federation/dialback`) implement it; the stream code knows neither.
 * The contract itself lives in `@xmpp-federation/interface` (types only), so a
 * mechanism depends on what it may read and do, never on the session classes.
 */
export type {
  AuthComponents,
  AuthenticatedPair,
  AuthMechanism,
  AuthOutcome,
  AuthStream,
  AuthStreamBase,
  InboundAuthStream,
  OutboundAuthStream,
  SecurityRequirements,
  VerificationStream,
} from '@xmpp-federation/interface'
