/**
 * Every address the bench binds: 127.0.0.59, 127.0.0.70 to 127.0.0.79 and P6's block below only
 * (the test suites use other 127.0.0.x addresses, and may run at the same time). Port 5269 everywhere: Prosody peers
 * always dial 5269, and our own listeners follow suit.
 */
export const PORT = 5269
/** XEP-0368 direct TLS listeners (P3's direct TLS cases: our receiver's second listener, Prosody b.test's). */
export const DIRECT_TLS_PORT = 5270

/**
 * `BENCH_ADDRESS_BLOCK=N` (environment) moves the eleven addresses below to 127.0.0.N…N+10, so
 * two benches (say, in two checkouts) can run side by side; P6 keeps its own block.
 */
const block = process.env.BENCH_ADDRESS_BLOCK ? Number(process.env.BENCH_ADDRESS_BLOCK) : undefined
if (block !== undefined && !(Number.isInteger(block) && block >= 2 && block <= 244)) {
  throw new Error(
    `BENCH_ADDRESS_BLOCK must be an integer from 2 to 244, got ${process.env.BENCH_ADDRESS_BLOCK}`,
  )
}

/** The default address, or its slot in the moved block. */
function at(lastOctet: number, slot: number): string {
  return `127.0.0.${block === undefined ? lastOctet : block + slot}`
}

export const ADDRESSES = {
  /** d.test: the receiving library (P1, P3, P5). */
  receiver: at(70, 0),
  /** c.test: the sending library's own listener (its peers answer it there). */
  sender: at(71, 1),
  /** Prosody a.test (P2 sender, P3 Prosody → Prosody). */
  prosodyA: at(72, 2),
  /** Prosody b.test (P2 receiver to compare against, P3 target). */
  prosodyB: at(73, 3),
  /** g.test: our federation as Prosody's peer (P2 receiver, P3 library → Prosody). */
  gateway: at(74, 4),
  /** Byte-counting relays for the round-trip count (P3). */
  relayOut: at(75, 5),
  relayBack: at(76, 6),
  /** m.test: the process holding thousands of inbound streams (P4). */
  memory: at(77, 7),
  /** ejabberd e.test (P2 receiver beside Prosody b.test). */
  ejabberd: at(59, 8),
  /** Where P4's client streams come from (two source addresses double the port space). */
  memoryClients: [at(78, 9), at(79, 10)],
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
