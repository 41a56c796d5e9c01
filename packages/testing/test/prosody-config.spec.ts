import { describe, expect, it } from 'vitest'
import { type ProsodyInstancePaths, type ProsodyOptions, renderProsodyConfig } from '../src/prosody-config.js'

const paths: ProsodyInstancePaths = {
  dataPath: '/run/x/prosody-a.test/data',
  pidfile: '/run/x/prosody-a.test/prosody.pid',
  logPath: '/run/x/prosody-a.test/prosody.log',
  hostsPath: '/run/x/hosts',
  certificatesDir: '/run/x/prosody-a.test/certs',
  pluginPaths: ['/repo/packages/testing/prosody-plugins/'],
}

const certificate = { cert: '/run/x/certs/a.test.crt', key: '/run/x/certs/a.test.key' }

function render(overrides: Partial<ProsodyOptions> = {}): string {
  return renderProsodyConfig(
    {
      domain: 'a.test',
      ip: '127.0.0.2',
      mode: 'cert',
      certificate,
      cafile: '/run/x/certs/ca.crt',
      ...overrides,
    },
    paths,
  )
}

/** The Lua list assigned to a global option, as plain strings. */
function listOption(config: string, name: string): string[] {
  const match = new RegExp(`^${name} = \\{([^}]*)\\}`, 'm').exec(config)
  if (!match) return []
  return [...(match[1] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] as string)
}

describe('renderProsodyConfig', () => {
  it('runs as a plain process bound to one address', () => {
    const config = render()
    expect(config).toMatch(/^run_as_root = true/m)
    expect(config).toContain('pidfile = "/run/x/prosody-a.test/prosody.pid"')
    expect(config).toContain('data_path = "/run/x/prosody-a.test/data"')
    expect(config).toContain('plugin_paths = { "/repo/packages/testing/prosody-plugins/" }')
    expect(config).toContain('interfaces = { "127.0.0.2" }')
    expect(config).toContain('local_interfaces = { "127.0.0.2" }')
    expect(config).toContain('c2s_ports = { 5222 }')
    expect(config).toContain('s2s_ports = { 5269 }')
    expect(config).toContain('authentication = "internal_hashed"')
    expect(config.trimEnd().split('\n').at(-1)).toBe('VirtualHost "a.test"')
  })

  it('resolves peers through the hosts file and answers the .test zone locally', () => {
    const config = render()
    expect(config).toContain('hoststxt = "/run/x/hosts";')
    expect(config).toContain('options = { ["local-zone:"] = "test. static" };')
  })

  it('adds one local DNS record and a direct TLS s2s port on request', () => {
    const config = render({
      dnsRecord: '_xmpps-server._tcp.c.test. IN SRV 0 0 5270 c.test.',
      s2sDirectTlsPort: 5270,
    })
    expect(config).toContain(
      'options = { ["local-zone:"] = "test. static"; ["local-data:"] = "_xmpps-server._tcp.c.test. IN SRV 0 0 5270 c.test." };',
    )
    expect(config).toContain('s2s_direct_tls_ports = { 5270 }')
    expect(render()).not.toContain('s2s_direct_tls_ports')
  })

  it('logs to the instance log file at info unless asked for debug', () => {
    expect(render()).toContain(
      '{ levels = { min = "info" }; to = "file"; filename = "/run/x/prosody-a.test/prosody.log" }',
    )
    expect(render({ logLevel: 'debug' })).toContain('levels = { min = "debug" }')
  })

  it('turns Nagle off unless asked to keep it', () => {
    expect(render()).toContain('network_settings = { nagle = false }')
    expect(render({ nagle: true })).toContain('network_settings = { nagle = true }')
  })

  it('loads our auth log plugin and neither rate limits nor archives', () => {
    const modules = listOption(render(), 'modules_enabled')
    expect(modules).toEqual(
      expect.arrayContaining(['tls', 'saslauth', 'dialback', 'roster', 'posix', 'xf_auth_log']),
    )
    for (const unwanted of ['limits', 'mam', 'carbons', 'smacks']) expect(modules).not.toContain(unwanted)
  })

  it('cert mode: secure auth, encryption required, CA-signed certificate and the test CA', () => {
    const config = render()
    expect(config).toMatch(/^s2s_secure_auth = true/m)
    expect(config).toMatch(/^s2s_require_encryption = true/m)
    expect(config).toMatch(/^c2s_require_encryption = true/m)
    expect(config).toContain('certificate = "/run/x/certs/a.test.crt";')
    expect(config).toContain('key = "/run/x/certs/a.test.key";')
    expect(config).toContain('cafile = "/run/x/certs/ca.crt";')
  })

  it('cert mode refuses to render without a cafile or certificate', () => {
    expect(() => render({ cafile: undefined })).toThrow(/cafile/)
    expect(() => render({ certificate: undefined })).toThrow(/certificate/)
  })

  it('dialback mode: no secure auth, encryption still required, no cafile', () => {
    const config = render({ mode: 'dialback', cafile: undefined })
    expect(config).toMatch(/^s2s_secure_auth = false/m)
    expect(config).toMatch(/^s2s_require_encryption = true/m)
    expect(config).toMatch(/^c2s_require_encryption = true/m)
    expect(config).toContain('certificate = "/run/x/certs/a.test.crt";')
    expect(config).not.toContain('cafile')
    expect(listOption(config, 'modules_enabled')).toContain('tls')
  })

  it('plain mode: no mod_tls, nothing encrypted, no certificate needed', () => {
    const config = render({ mode: 'plain', certificate: undefined, cafile: undefined })
    expect(listOption(config, 'modules_enabled')).not.toContain('tls')
    expect(listOption(config, 'modules_enabled')).toContain('dialback')
    expect(config).toMatch(/^s2s_secure_auth = false/m)
    expect(config).toMatch(/^s2s_require_encryption = false/m)
    expect(config).toMatch(/^c2s_require_encryption = false/m)
    expect(config).not.toMatch(/^ssl = /m)
  })

  it('adds and removes modules, and disables auto-loaded ones too', () => {
    const config = render({ modules: ['version', 'smacks'], disableModules: ['dialback', 'offline'] })
    const enabled = listOption(config, 'modules_enabled')
    expect(enabled).toEqual(expect.arrayContaining(['version', 'smacks']))
    expect(enabled).not.toContain('dialback')
    expect(listOption(config, 'modules_disabled')).toEqual(['dialback', 'offline'])
  })

  it('uses custom ports and appends raw Lua to the global section', () => {
    const config = render({ c2sPort: 15222, s2sPort: 15269, extraGlobal: 's2s_timeout = 5' })
    expect(config).toContain('c2s_ports = { 15222 }')
    expect(config).toContain('s2s_ports = { 15269 }')
    expect(config.indexOf('s2s_timeout = 5')).toBeLessThan(config.indexOf('VirtualHost'))
    expect(() => render({ s2sPort: 70000 })).toThrow(/port/)
  })

  it('sets the SCRAM iteration count only when asked', () => {
    expect(render()).not.toContain('default_iteration_count')
    expect(render({ scramIterations: 1000 })).toContain('default_iteration_count = 1000')
  })

  it('escapes paths so they cannot break out of a Lua string', () => {
    const config = renderProsodyConfig(
      { domain: 'a.test', ip: '127.0.0.2', mode: 'plain' },
      { ...paths, logPath: '/tmp/we"ird\\dir\nx/prosody.log' },
    )
    expect(config).toContain('filename = "/tmp/we\\"ird\\\\dir\\nx/prosody.log"')
  })
})
