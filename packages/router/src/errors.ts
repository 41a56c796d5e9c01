import type { StanzaErrorCondition } from '@xmpp-federation/stream'

/**
 * A stanza that could not be delivered, with the RFC 6120 §8.3.3 condition
 * its sender got back (or would have, for stanzas that are never answered).
 */
export class DeliveryError extends Error {
  static override readonly name = 'DeliveryError'
  override readonly name = 'DeliveryError'

  constructor(
    readonly condition: StanzaErrorCondition,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
  }
}

/**
 * The host called the federation at the wrong time (`send()` before `start()`, after
 * `stop()`, `start()` twice): a bug in the host, never a delivery outcome.
 */
export class UsageError extends Error {
  static override readonly name = 'UsageError'
  override readonly name = 'UsageError'
}
