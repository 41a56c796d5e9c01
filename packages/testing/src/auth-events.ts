/** One authenticated s2s direction, as logged by our Prosody plugin mod_xf_auth_log. */
export interface S2sAuthEvent {
  /** 'EXTERNAL' (SASL EXTERNAL, certificate) or 'dialback'. */
  mechanism: string
  direction: 'incoming' | 'outgoing'
  local: string
  remote: string
  /** Whether the stream was encrypted. */
  secure: boolean
  /** Prosody's verdict on the peer's certificate chain and name: 'valid', 'invalid' or 'none'. */
  certChain: string
  certIdentity: string
}

const marker = 'xf-s2s-auth '

export function parseAuthEvents(logText: string): S2sAuthEvent[] {
  const events: S2sAuthEvent[] = []
  for (const line of logText.split('\n')) {
    const at = line.indexOf(marker)
    if (at < 0) continue
    const fields = new Map<string, string>()
    for (const pair of line
      .slice(at + marker.length)
      .trim()
      .split(/\s+/)) {
      const eq = pair.indexOf('=')
      if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const direction = fields.get('direction')
    if (direction !== 'incoming' && direction !== 'outgoing') continue
    events.push({
      mechanism: fields.get('mechanism') ?? 'none',
      direction,
      local: fields.get('local') ?? 'none',
      remote: fields.get('remote') ?? 'none',
      secure: fields.get('secure') === 'true',
      certChain: fields.get('cert_chain') ?? 'none',
      certIdentity: fields.get('cert_identity') ?? 'none',
    })
  }
  return events
}
