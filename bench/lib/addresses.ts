/**
 * Every address the bench binds: 127.0.0.59, 127.0.0.70 to 127.0.0.79 and P6's block below only
 * (the test suites use other 127.0.0.x addresses, and may run at the same time). Port 5269 everywhere: Prosody peers
 * always dial 5269, and our own listeners follow suit.
 */
export const PORT = 5269

export const ADDRESSES = {
  /** d.test: the receiving library (P1, P3, P5). */
  receiver: '127.0.0.70',
  /** c.test: the sending library's own listener (its peers answer it there). */
  sender: '127.0.0.71',
  /** Prosody a.test (P2 sender, P3 Prosody → Prosody). */
  prosodyA: '127.0.0.72',
  /** Prosody b.test (P2 receiver to compare against, P3 target). */
  prosodyB: '127.0.0.73',
  /** g.test: our federation as Prosody's peer (P2 receiver, P3 library → Prosody). */
  gateway: '127.0.0.74',
  /** Byte-counting relays for the round-trip count (P3). */
  relayOut: '127.0.0.75',
  relayBack: '127.0.0.76',
  /** m.test: the process holding thousands of inbound streams (P4). */
  memory: '127.0.0.77',
  /** ejabberd e.test (P2 receiver beside Prosody b.test). */
  ejabberd: '127.0.0.59',
  /** Where P4's client streams come from (two source addresses double the port space). */
  memoryClients: ['127.0.0.78', '127.0.0.79'],
} as const

/**
 * P6 (cluster) has its own block, 127.0.0.60 to 127.0.0.69: the receiver d.test, Redis, and the
 * listeners of up to three c.test nodes.
 */
export const P6_ADDRESSES = {
  receiver: '127.0.0.60',
  redis: '127.0.0.64',
  nodes: ['127.0.0.61', '127.0.0.62', '127.0.0.63'],
} as const
