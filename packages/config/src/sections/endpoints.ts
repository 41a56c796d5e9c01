import { isIP } from 'node:net'
import { z } from 'zod'
import { domainMap, host, milliseconds, port } from '../fields.js'
import { quote } from '../quote.js'

// Where this node listens, where it connects, and how it resolves peers.

const XMPP_SERVER_PORT = 5269

export const listenerSchema = z.strictObject({
  host: host.optional().meta({ description: 'address to listen on; every interface when absent' }),
  port: port.default(XMPP_SERVER_PORT),
  directTls: z
    .boolean()
    .default(false)
    .meta({ description: 'TLS from the first byte (XEP-0368) instead of STARTTLS' }),
})

export const routeTargetSchema = z.strictObject({
  host,
  port: port.default(XMPP_SERVER_PORT),
  directTls: z
    .boolean()
    .default(false)
    .meta({ description: 'the target expects TLS from the first byte (XEP-0368)' }),
})

export const routesSchema = domainMap(
  z.array(routeTargetSchema).min(1, { error: 'must list at least one target such as { host, port }' }),
).meta({
  description:
    'static routes per remote domain, tried in order; they replace DNS SRV lookups (NAT, firewalls)',
})

// Node's resolver accepts '192.0.2.1', '192.0.2.1:53', '2001:db8::1' and '[2001:db8::1]:53'.
function dnsServerProblem(server: string): string | undefined {
  if (isIP(server)) return undefined
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(server)
  const withPort = bracketed ?? /^([^:]+):(\d+)$/.exec(server)
  if (!withPort) return 'is not an IP address with an optional :port'
  const [, address, portText] = withPort
  if (isIP(address!) !== (bracketed ? 6 : 4)) return 'is not an IP address with an optional :port'
  const portNumber = Number(portText)
  if (portNumber < 1 || portNumber > 65535) return 'has a port outside 1..65535'
  return undefined
}

const dnsServer = z.string().superRefine((server, ctx) => {
  const problem = dnsServerProblem(server)
  if (problem) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a DNS server address, but ${quote(server)} ${problem}`,
      params: { fix: "write it as '192.0.2.53', '192.0.2.53:5353' or '[2001:db8::53]:53'" },
    })
  }
})

export const dnsSchema = z.strictObject({
  servers: z
    .array(dnsServer)
    .min(1)
    .optional()
    .meta({ description: "DNS servers to query; the system's resolvers when absent" }),
  timeoutMs: milliseconds.default(5000).meta({ description: 'timeout of one DNS query, in milliseconds' }),
})

export const httpSchema = z.strictObject({
  host: host.default('127.0.0.1'),
  port: port.default(8080),
})
