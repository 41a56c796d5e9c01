import type { S2sAuthEvent } from './auth-events.js'

// ejabberd 23.01 logs each s2s authentication at info level, e.g.
//   ... (tls|<0.567.0>) Accepted inbound s2s dialback authentication c.test -> b.test (127.0.0.4)
//   ... (tcp|<0.571.0>) Accepted outbound s2s EXTERNAL authentication b.test -> c.test (127.0.0.4)
// Inbound lines name remote -> local, outbound lines local -> remote.
const line = /\((\w+)\|[^)]*\) Accepted (inbound|outbound) s2s (\S+) authentication (\S+) -> (\S+) \(/

/** The s2s authentications in an ejabberd log, in the shape Prosody's mod_xf_auth_log gives. */
export function parseEjabberdAuthEvents(logText: string): S2sAuthEvent[] {
  const events: S2sAuthEvent[] = []
  for (const text of logText.split('\n')) {
    const match = line.exec(text)
    if (!match) continue
    const [, transport, direction, mechanism, first, second] = match as unknown as string[]
    const inbound = direction === 'inbound'
    events.push({
      mechanism: mechanism!,
      direction: inbound ? 'incoming' : 'outgoing',
      local: (inbound ? second : first)!,
      remote: (inbound ? first : second)!,
      secure: transport === 'tls',
      // ejabberd does not log its verdict on the peer's certificate.
      certChain: 'unknown',
      certIdentity: 'unknown',
    })
  }
  return events
}
