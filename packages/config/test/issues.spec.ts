import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../src/index.js'
import { issueAt, issuesOf, withBase } from './helpers.js'

describe('issues a person can act on', () => {
  it('rejects an unknown key, suggesting the likely one', () => {
    expect(issueAt(withBase({ lisen: [] }), 'lisen')).toEqual({
      code: 'UNKNOWN_KEY',
      path: 'lisen',
      message: 'is not a known setting',
      fix: expect.stringMatching(
        /^did you mean 'listen'\? \(known keys here: cluster, node, enabled, domains, listen/,
      ),
    })
  })

  it('rejects an unknown nested key, listing the known ones when nothing is close', () => {
    const issue = issueAt(
      withBase({ security: { saslExternal: { both: true } } }),
      'security.saslExternal.both',
    )
    expect(issue.message).toBe('is not a known setting')
    expect(issue.fix).toBe('remove it (known keys here: inbound, outbound)')
  })

  it('rejects an unknown key inside a per-domain map entry', () => {
    const issue = issueAt(
      withBase({ policy: { domains: { 'a.test': { tsl: 'none' } } } }),
      'policy.domains.a.test.tsl',
    )
    expect(issue.fix).toMatch(/^did you mean 'tls'\?/)
  })

  it('lists the allowed values of an enumeration', () => {
    expect(issueAt(withBase({ security: { tls: 'requried' } }), 'security.tls')).toEqual({
      code: 'BAD_VALUE',
      path: 'security.tls',
      message: "must be one of 'none', 'opportunistic', 'required' (got 'requried')",
      fix: "did you mean 'required'?",
    })
    expect(
      issueAt(withBase({ policy: { domains: { 'a.test': { tls: 'TLS' } } } }), 'policy.domains.a.test.tls')
        .message,
    ).toBe("must be one of 'none', 'opportunistic', 'required' (got 'TLS')")
    expect(issueAt(withBase({ policy: { mode: 'allow' } }), 'policy.mode').fix).toBe(
      "did you mean 'allowlist'?",
    )
  })

  it('names what is wrong with a domain', () => {
    expect(issueAt({ domains: ['c.test', 'bad_dom ain'] }, 'domains[1]')).toEqual({
      code: 'BAD_VALUE',
      path: 'domains[1]',
      message: "must be a domain name, but 'bad_dom ain' contains ' '",
      fix: "write a domain name such as 'example.com'",
    })
    expect(issueAt({ domains: ['c..test'] }, 'domains[0]').message).toMatch(/empty label/)
    expect(issueAt({ domains: ['10.0.0.1'] }, 'domains[0]').message).toMatch(/is an IP address/)
    expect(issueAt(withBase({ policy: { deny: ['*'] } }), 'policy.deny[0]').message).toMatch(
      /leading '\*\.' label/,
    )
    expect(issueAt(withBase({ routes: { 'a b': [{ host: 'x.test' }] } }), 'routes.a b').message).toBe(
      "keys must be domain names, but 'a b' contains ' '",
    )
  })

  it('requires at least one local domain', () => {
    expect(issueAt({}, 'domains').message).toBe('is required')
    expect(issueAt({ domains: [] }, 'domains').message).toBe(
      'must list at least one local domain (got an empty list)',
    )
  })

  it('states the port range and the value given', () => {
    expect(issueAt(withBase({ listen: [{ port: 70000 }] }), 'listen[0].port').message).toBe(
      'must be an integer from 1 to 65535 (got 70000)',
    )
    expect(issueAt(withBase({ listen: [{ port: 0 }] }), 'listen[0].port').message).toBe(
      'must be an integer from 1 to 65535 (got 0)',
    )
    expect(
      issueAt(withBase({ routes: { 'a.test': [{ host: 'x.test', port: 52.5 }] } }), 'routes.a.test[0].port')
        .message,
    ).toBe('must be an integer from 1 to 65535 (got 52.5)')
  })

  it('suggests removing quotes around numbers and booleans', () => {
    expect(issueAt(withBase({ listen: [{ port: '5269' }] }), 'listen[0].port')).toEqual({
      code: 'BAD_VALUE',
      path: 'listen[0].port',
      message: "must be an integer from 1 to 65535 (got '5269')",
      fix: 'write 5269 without quotes',
    })
    expect(issueAt(withBase({ enabled: 'yes' }), 'enabled')).toEqual({
      code: 'BAD_VALUE',
      path: 'enabled',
      message: "must be true or false (got 'yes')",
      fix: 'write true or false, without quotes',
    })
  })

  it('asks for a list where a single value was written', () => {
    expect(issueAt({ domains: 'c.test' }, 'domains')).toEqual({
      code: 'BAD_VALUE',
      path: 'domains',
      message: "must be a list (got 'c.test')",
      fix: "write a list, e.g. ['c.test']",
    })
  })

  it('rejects a short dialback secret without printing it', () => {
    const secret = 'hunter2-secret'
    const issue = issueAt(withBase({ dialback: { secret } }), 'dialback.secret')
    expect(issue.message).toBe('must be at least 16 characters long (got 14 characters)')
    expect(JSON.stringify(issuesOf(withBase({ dialback: { secret } })))).not.toContain(secret)
    expect(issueAt(withBase({ dialback: { secret: 12345 } }), 'dialback.secret').message).toBe(
      'must be a string (got a number)',
    )
  })

  it('does not print a secret written in the wrong place', () => {
    const secret = 'a-secret-written-as-the-block'
    expect(issueAt(withBase({ dialback: secret }), 'dialback').message).toBe(
      'must be an object (key: value pairs) (got 29 characters)',
    )
  })

  it('requires the secret once a dialback block is present', () => {
    expect(issueAt(withBase({ dialback: {} }), 'dialback.secret').message).toBe('is required')
  })

  it('checks the smaller shapes too', () => {
    expect(issueAt(withBase({ queue: { maxStanzas: 0 } }), 'queue.maxStanzas').message).toBe(
      'must be at least 1 (got 0)',
    )
    expect(issueAt(withBase({ timeouts: { idleMs: 1.5 } }), 'timeouts.idleMs').message).toBe(
      'must be an integer (got 1.5)',
    )
    expect(issueAt(withBase({ dns: { servers: ['dns.google'] } }), 'dns.servers[0]').message).toMatch(
      /^must be a DNS server address, but 'dns.google'/,
    )
    expect(issueAt(withBase({ routes: { 'a.test': [] } }), 'routes.a.test').message).toBe(
      'must list at least one target such as { host, port } (got an empty list)',
    )
    expect(
      issueAt(
        withBase({ policy: { peerRules: [{ product: 'X', versionBelow: 'v8', action: 'refuse' }] } }),
        'policy.peerRules[0].versionBelow',
      ).message,
    ).toBe("must be a dotted version number such as '8' or '8.6.1' (got 'v8')")
    expect(issueAt(withBase({ tls: { cert: 'c.crt' } }), 'tls.key').message).toBe(
      'is required when tls.cert is set',
    )
    expect(
      issueAt(withBase({ policy: { domains: { 'A.test': {}, 'a.TEST': {} } } }), 'policy.domains.a.TEST')
        .message,
    ).toBe("names the same domain as 'A.test' (a.test)")
  })

  it('reports every problem at once, not only the first', () => {
    const paths = issuesOf({
      domains: ['c.test'],
      listen: [{ port: 0 }],
      security: { tls: 'x' },
      queue: { ttl: 1 },
    }).map((i) => i.path)
    expect(paths).toEqual(['listen[0].port', 'security.tls', 'queue.ttl'])
  })
})

describe('ConfigError', () => {
  it('is thrown by parseConfig with one line per issue', () => {
    let error: unknown
    try {
      parseConfig(withBase({ listen: [{ port: 70000 }], security: { tls: 'requried' } }), {
        source: 'federation.json',
      })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const configError = error as ConfigError
    expect(configError.name).toBe('ConfigError')
    expect(configError.source).toBe('federation.json')
    expect(configError.issues.map((issue) => issue.path)).toEqual(['listen[0].port', 'security.tls'])
    expect(configError.message.split('\n')).toEqual([
      'Invalid federation configuration in federation.json (2 problems):',
      '  listen[0].port: must be an integer from 1 to 65535 (got 70000)',
      "  security.tls: must be one of 'none', 'opportunistic', 'required' (got 'requried')",
      "      fix: did you mean 'required'?",
    ])
  })
})
