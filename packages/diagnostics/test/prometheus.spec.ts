import { describe, expect, it } from 'vitest'
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../src/index.js'
import { domainStatus, federationStatus } from './status-fixtures.js'

// A sample line of the text exposition format: name, optional labels, value.
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? -?[0-9.e+]+$/

describe('renderPrometheus', () => {
  const text = renderPrometheus(
    federationStatus([
      domainStatus(),
      domainStatus({ direction: 'inbound', stanzasIn: 5, stanzasOut: 0, queued: 0, target: undefined }),
      domainStatus({ direction: 'inbound', stanzasIn: 2, stanzasOut: 0, target: undefined }),
      domainStatus({
        remote: 'b.test',
        state: 'backing-off',
        authMechanism: undefined,
        tlsVersion: undefined,
        peerCertificate: { subject: 'CN=b', validTo: 'Feb  1 00:00:00 2030 GMT', trusted: false },
        queued: 3,
        stanzasOut: 0,
        lastError: { condition: 'remote-server-not-found', message: 'x', at: '2030-01-01T00:00:00.000Z' },
      }),
    ]),
  )
  const lines = text.trimEnd().split('\n')

  it('is valid text exposition: HELP and TYPE per family, then well-formed samples, one final newline', () => {
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(text.endsWith('\n')).toBe(true)
    for (const line of lines) {
      if (line.startsWith('# ')) expect(line).toMatch(/^# (HELP|TYPE) [a-z_]+ .+$/)
      else expect(line).toMatch(SAMPLE)
    }
  })

  it('labels by remote domain, direction and mechanism, and sums streams that share labels', () => {
    expect(lines).toContain(
      'xmpp_federation_stanzas_received_total{remote="a.test",local="c.test",direction="inbound",mechanism="EXTERNAL"} 7',
    )
    expect(lines).toContain(
      'xmpp_federation_sessions{remote="a.test",local="c.test",direction="inbound",mechanism="EXTERNAL",state="established"} 2',
    )
    expect(lines).toContain(
      'xmpp_federation_sessions{remote="b.test",local="c.test",direction="outbound",mechanism="none",state="backing-off"} 1',
    )
    expect(lines).toContain(
      'xmpp_federation_queued_stanzas{remote="b.test",local="c.test",direction="outbound"} 3',
    )
  })

  it('exposes the state of the federation, certificate expiry and trust, and the time of the last error', () => {
    expect(lines).toContain('xmpp_federation_up 1')
    expect(lines).toContain('xmpp_federation_state{state="running"} 1')
    expect(lines).toContain('xmpp_federation_state{state="stopped"} 0')
    expect(lines).toContain(
      `xmpp_federation_peer_certificate_not_after_seconds{remote="b.test",local="c.test",direction="outbound"} ${Date.UTC(2030, 1, 1) / 1000}`,
    )
    expect(lines).toContain(
      'xmpp_federation_peer_certificate_untrusted{remote="b.test",local="c.test",direction="outbound"} 1',
    )
    expect(lines).toContain(
      `xmpp_federation_last_error_timestamp_seconds{remote="b.test",local="c.test",direction="outbound",condition="remote-server-not-found"} ${Date.UTC(2030, 0, 1) / 1000}`,
    )
    expect(text.match(/^# TYPE xmpp_federation_stanzas_sent_total counter$/m)).not.toBeNull()
  })

  it('exposes the XEP-0199 round trip once the status reports one', () => {
    expect(text).not.toContain('xmpp_federation_round_trip_seconds{')
    const measured = renderPrometheus(federationStatus([{ ...domainStatus(), rttMs: 42 } as never]))
    expect(measured).toContain(
      'xmpp_federation_round_trip_seconds{remote="a.test",local="c.test",direction="outbound"} 0.042',
    )
  })

  it('counts stanzas from the running totals when the status has them, by remote domain only', () => {
    const status = {
      ...federationStatus([domainStatus({ stanzasIn: 1, stanzasOut: 2 })]),
      totals: [{ remote: 'a.test', stanzasIn: 30, stanzasOut: 50 }],
    }
    const counted = renderPrometheus(status).split('\n')
    expect(counted).toContain('xmpp_federation_stanzas_received_total{remote="a.test"} 30')
    expect(counted).toContain('xmpp_federation_stanzas_sent_total{remote="a.test"} 50')
    expect(counted.filter((line) => line.startsWith('xmpp_federation_stanzas_'))).toHaveLength(2)
  })

  it('escapes label values', () => {
    const odd = renderPrometheus(federationStatus([domainStatus({ remote: 'a"b\\c\nd' })]))
    expect(odd).toContain('remote="a\\"b\\\\c\\nd"')
  })

  it('a stopped federation with no streams is still a complete exposition', () => {
    const stopped = renderPrometheus(federationStatus([], 'stopped'))
    expect(stopped).toContain('xmpp_federation_up 0\n')
    expect(stopped).toContain('# TYPE xmpp_federation_sessions gauge\n')
  })
})
