import { describe, expect, it } from 'vitest'
import { reloadUrl } from '../src/commands/reload.js'
import { renderReloadReport } from '../src/render/reload-report.js'

describe('xmpp-federation reload: where and what', () => {
  it('finds the reload route next to the status route the URL names', () => {
    expect(reloadUrl('http://h:8080')).toBe('http://h:8080/api/reload')
    expect(reloadUrl('http://h:8080/diag')).toBe('http://h:8080/diag/reload')
    expect(reloadUrl('http://h:8080/diag/status')).toBe('http://h:8080/diag/reload')
    expect(reloadUrl('http://h:8080/diag/reload/')).toBe('http://h:8080/diag/reload')
    expect(() => reloadUrl('not a url')).toThrow(/not a URL/)
  })

  it('prints each change, closed stream and the bounced count; or each problem of a refusal', () => {
    const text = renderReloadReport({
      kind: 'applied',
      report: {
        changed: [{ path: 'policy.deny', before: [], after: ['x.test'] }],
        closed: [
          {
            direction: 'inbound',
            local: 'c.test',
            remote: 'x.test',
            condition: 'policy-violation',
            reason: 'x.test is denied',
          },
        ],
        bounced: 3,
        unchanged: false,
        notes: [],
      },
    })
    expect(text).toContain('policy.deny: [] → ["x.test"]')
    expect(text).toContain('inbound c.test ⇄ x.test: <policy-violation/> x.test is denied')
    expect(text).toContain('stanzas bounced: 3')
    const refusal = renderReloadReport({
      kind: 'refused',
      message: 'refused',
      issues: [{ code: 'MISSING_FILE', path: 'tls.cert', message: '/x.crt does not exist' }],
    })
    expect(refusal).toMatch(/old one keeps serving[\s\S]*tls\.cert: \/x\.crt does not exist/)
  })
})
