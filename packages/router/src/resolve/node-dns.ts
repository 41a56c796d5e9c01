import { Resolver } from 'node:dns/promises'
import {
  type AddressRecord,
  type DnsLookup,
  DnsQueryError,
  type DnsQueryFailure,
  type SrvRecord,
} from './dns-lookup.js'

/** Options of the node:dns client the resolver uses by default. */
export interface NodeDnsOptions {
  /** 'ip' or 'ip:port' ('[v6]:port'), as Resolver.setServers takes them; default: the system's. */
  servers?: string[]
  /** Budget of one question across all servers, in milliseconds. */
  timeoutMs: number
}

/**
 * DnsLookup on node:dns (c-ares). Each question gets its own c-ares channel, so
 * that when the budget runs out we can cancel exactly that question.
 *
 * c-ares' own timeout is not a deadline (1.34 waits up to twice `timeout`, and
 * tries the next server only after it): the budget is enforced here instead.
 */
export function createNodeDnsLookup(options: NodeDnsOptions): DnsLookup {
  const { servers, timeoutMs } = options
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`)
  // Bad server strings fail here, at construction, rather than on the first send.
  if (servers) new Resolver().setServers(servers)

  const channel = () => {
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 })
    if (servers) resolver.setServers(servers)
    return resolver
  }

  async function ask<T>(question: string, query: (resolver: Resolver) => Promise<T>): Promise<T> {
    const resolver = channel()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        resolver.cancel()
        reject(new DnsQueryError('TIMEOUT', question, `no answer to ${question} within ${timeoutMs} ms`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([query(resolver), deadline])
    } catch (error) {
      if (error instanceof DnsQueryError) throw error
      throw fromNodeError(question, error as NodeJS.ErrnoException)
    } finally {
      clearTimeout(timer)
    }
  }

  // The trailing dot makes the name absolute: c-ares would otherwise try the
  // resolv.conf search list first (ndots), and answer for another domain.
  return {
    srv: (name) =>
      ask(`SRV ${name}`, async (resolver): Promise<SrvRecord[]> => {
        const records = await resolver.resolveSrv(`${name}.`)
        return records.map(({ name, port, priority, weight }) => ({ name, port, priority, weight }))
      }),
    addresses: (name, family) =>
      ask(`${family === 4 ? 'A' : 'AAAA'} ${name}`, async (resolver): Promise<AddressRecord[]> => {
        const records =
          family === 4
            ? await resolver.resolve4(`${name}.`, { ttl: true })
            : await resolver.resolve6(`${name}.`, { ttl: true })
        return records.map(({ address, ttl }) => ({ address, ttlSeconds: ttl }))
      }),
  }
}

// c-ares codes (node:dns error codes) to what they mean for us.
const failures: Record<string, DnsQueryFailure> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NODATA',
  ETIMEOUT: 'TIMEOUT',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
}

function fromNodeError(question: string, error: NodeJS.ErrnoException): DnsQueryError {
  // Anything else (ECONNREFUSED: no server reachable, EBADRESP, EFORMERR, ...) is
  // a broken DNS path rather than an answer: SERVFAIL, with the code in the message.
  const code = failures[error.code ?? ''] ?? 'SERVFAIL'
  return new DnsQueryError(code, question, `${question}: ${error.code ?? error.message}`, { cause: error })
}
