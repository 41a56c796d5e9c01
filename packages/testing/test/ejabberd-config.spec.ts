import { describe, expect, it } from 'vitest'
import {
  type EjabberdOptions,
  renderEjabberdConfig,
  renderEjabberdctlConfig,
  renderInetrc,
} from '../src/ejabberd-config.js'
import { parseEjabberdAuthEvents } from '../src/ejabberd-log.js'

const base: EjabberdOptions = {
  domain: 'b.test',
  ip: '127.0.0.3',
  mode: 'dialback',
  certificate: { pem: '/run/x/certs/b.test.pem' },
}
const render = (overrides: Partial<EjabberdOptions> = {}) => renderEjabberdConfig({ ...base, ...overrides })

describe('renderEjabberdConfig', () => {
  it('binds c2s and s2s to the instance address only, and dials peers from it over IPv4', () => {
    const config = render()
    expect(config).toContain('hosts:\n  - "b.test"')
    expect(config.match(/^ {4}ip: "127\.0\.0\.3"$/gm)).toHaveLength(2)
    expect(config).toMatch(/^outgoing_s2s_ipv4_address: "127\.0\.0\.3"$/m)
    expect(config).toMatch(/^outgoing_s2s_families:\n {2}- ipv4$/m)
    expect(config).toMatch(/^acme:\n {2}auto: false$/m)
  })

  it('dialback mode: certfiles, STARTTLS required and mod_s2s_dialback, no CA', () => {
    const config = render()
    expect(config).toContain('certfiles:\n  - "/run/x/certs/b.test.pem"')
    expect(config).toMatch(/^s2s_use_starttls: required$/m)
    expect(config).toMatch(/^ {2}mod_s2s_dialback: \{\}$/m)
    expect(config).not.toContain('cafile')
  })

  it('cert mode: the CA for s2s and no dialback; it refuses to render without a CA', () => {
    const config = render({ mode: 'cert', cafile: '/run/x/ca.crt' })
    expect(config).toMatch(/^s2s_cafile: "\/run\/x\/ca\.crt"$/m)
    expect(config).not.toContain('mod_s2s_dialback')
    expect(() => render({ mode: 'cert' })).toThrow(/cafile/)
  })

  it('cert mode with dialback on request: CA-verified TLS, and dialback where EXTERNAL is not used', () => {
    const config = render({ mode: 'cert', cafile: '/run/x/ca.crt', dialback: true })
    expect(config).toMatch(/^s2s_cafile: "\/run\/x\/ca\.crt"$/m)
    expect(config).toMatch(/^ {2}mod_s2s_dialback: \{\}$/m)
  })

  it('adds a direct TLS (XEP-0368) s2s listener on request', () => {
    expect(render()).not.toMatch(/^ {4}tls: true$/m)
    expect(render({ directTlsPort: 5270 })).toContain(
      '  -\n    port: 5270\n    ip: "127.0.0.3"\n    module: ejabberd_s2s_in\n    tls: true\n',
    )
  })

  it('plain mode: no TLS on s2s or c2s, no certificate needed', () => {
    const config = render({ mode: 'plain', certificate: undefined })
    expect(config).toMatch(/^s2s_use_starttls: false$/m)
    expect(config).toMatch(/^ {4}starttls: false$/m)
    expect(config).not.toContain('certfiles')
    expect(config).toContain('mod_s2s_dialback')
    expect(() => render({ mode: 'dialback', certificate: undefined })).toThrow(/certificate/)
  })
})

describe('renderEjabberdctlConfig', () => {
  const cfg = renderEjabberdctlConfig({
    ip: '127.0.0.3',
    distPort: 5210,
    cookie: 'xf-abc',
    srvRecords: { 'c.test': { ip: '127.0.0.4', port: 5269 } },
    pidPath: '/run/x/run/ejabberd.pid',
  })

  it('keeps the Erlang node and its distribution on the instance address, without epmd', () => {
    expect(cfg).toContain('ERLANG_NODE=ejabberd@127.0.0.3\n')
    expect(cfg).toContain('INET_DIST_INTERFACE=127.0.0.3\n')
    expect(cfg).toContain('ERL_DIST_PORT=5210\n')
  })

  it('puts one space-free -eval per SRV record, and the stdin lifeline, into ERL_OPTIONS', () => {
    const options = /^ERL_OPTIONS='(.*)'$/m.exec(cfg)?.[1]
    const words = options?.split(' ') ?? []
    expect(words.slice(0, 2)).toEqual(['-setcookie', 'xf-abc'])
    expect(words[3]).toBe(
      'inet_db:add_rr("_xmpp-server._tcp.c.test",in,srv,315360000,{0,0,5269,"127.0.0.4"})',
    )
    expect(words[5]).toMatch(/^spawn\(fun\(\)->P=open_port\(\{fd,0,1\},\[in,eof\]\)/)
    expect(words.filter((w) => w === '-eval')).toHaveLength(2)
  })

  it('writes an _xmpps-server record for a peer reached with direct TLS', () => {
    const direct = renderEjabberdctlConfig({
      ip: '127.0.0.3',
      distPort: 5210,
      cookie: 'xf-abc',
      srvRecords: { 'c.test': { ip: '127.0.0.4', port: 5270, directTls: true } },
      pidPath: '/run/x/run/ejabberd.pid',
    })
    expect(direct).toContain(
      '-eval inet_db:add_rr("_xmpps-server._tcp.c.test",in,srv,315360000,{0,0,5270,"127.0.0.4"})',
    )
  })

  it('refuses values that would break out of the Erlang expression', () => {
    const srv = (domain: string, ip: string) =>
      renderEjabberdctlConfig({
        ip: '127.0.0.3',
        distPort: 5210,
        cookie: 'x',
        pidPath: '/p',
        srvRecords: { [domain]: { ip, port: 5269 } },
      })
    expect(() => srv('c.test")', '127.0.0.4')).toThrow(/DNS name/)
    expect(() => srv('c.test', '127.0.0.4"}')).toThrow(/IPv4/)
  })

  it('writes an inetrc without resolv.conf or hosts file', () => {
    expect(renderInetrc()).toBe('{resolv_conf, ""}.\n{hosts_file, ""}.\n')
  })
})

describe('parseEjabberdAuthEvents', () => {
  it('reads inbound (remote -> local) and outbound (local -> remote) lines', () => {
    const log = [
      '2026-11-25 13:07:53.9+00:00 [info] <0.125.0>@ejabberd_app:start/2:63 ejabberd 23.01-1 is started',
      '2026-11-25 13:08:01.1+00:00 [info] <0.600.0>@ejabberd_s2s_in:handle_auth_success/4:276 (tls|<0.599.0>) Accepted inbound s2s dialback authentication c.test -> b.test (127.0.0.4)',
      '2026-11-25 13:08:01.2+00:00 [info] <0.610.0>@ejabberd_s2s_out:handle_auth_success/2:300 (tcp|<0.609.0>) Accepted outbound s2s EXTERNAL authentication b.test -> c.test (127.0.0.4)',
    ].join('\n')
    expect(parseEjabberdAuthEvents(log)).toEqual([
      {
        mechanism: 'dialback',
        direction: 'incoming',
        local: 'b.test',
        remote: 'c.test',
        secure: true,
        certChain: 'unknown',
        certIdentity: 'unknown',
      },
      {
        mechanism: 'EXTERNAL',
        direction: 'outgoing',
        local: 'b.test',
        remote: 'c.test',
        secure: false,
        certChain: 'unknown',
        certIdentity: 'unknown',
      },
    ])
  })
})
