import type { ServerResponse } from 'node:http'
import type { FederationConfig } from '@xmpp-federation/config'
import type { FederationStatus } from '@xmpp-federation/router'
import type { DoctorOptions } from '../doctor/options.js'
import { runDoctor } from '../doctor/run-doctor.js'
import { JSON_CONTENT_TYPE, respond, respondError } from './respond.js'

/** What the page's doctor may be given besides the domain and the configuration. */
export type PageDoctorOptions = Omit<DoctorOptions, 'domain' | 'config' | 'onResult'>

export interface DoctorRouteOptions {
  status: () => FederationStatus
  config: () => FederationConfig | undefined
  doctor: PageDoctorOptions | undefined
  /** Runs at once over all domains; more are answered 429. Default 2. */
  maxRuns?: number
}

/**
 * `POST <base>/ui/doctor?domain=D`: runs the doctor for a remote domain the status lists (not any
 * name: the page is no port scanner) and answers its report as JSON. One run per domain at a
 * time and a few in all; beyond that 429, since each run opens connections.
 */
export function doctorRoute(options: DoctorRouteOptions): (url: URL, res: ServerResponse) => Promise<void> {
  const maxRuns = options.maxRuns ?? 2
  const running = new Set<string>()
  return async (url, res) => {
    const domain = url.searchParams.get('domain')?.trim().toLowerCase().replace(/\.$/, '') ?? ''
    if (domain === '') {
      respondError(res, 400, 'bad-request', 'name the remote domain: POST ui/doctor?domain=example.org')
      return
    }
    if (!options.status().domains.some((entry) => entry.remote.toLowerCase() === domain)) {
      respondError(res, 404, 'item-not-found', `${domain} is not a remote domain of this federation's status`)
      return
    }
    if (running.has(domain)) {
      respondError(res, 429, 'policy-violation', `the doctor is already running for ${domain}`, {
        'retry-after': '5',
      })
      return
    }
    if (running.size >= maxRuns) {
      respondError(res, 429, 'policy-violation', `the doctor runs for ${maxRuns} domains already`, {
        'retry-after': '5',
      })
      return
    }
    running.add(domain)
    try {
      const report = await runDoctor({ ...options.doctor, domain, config: options.config() })
      respond(res, 200, JSON_CONTENT_TYPE, `${JSON.stringify(report)}\n`)
    } catch (error) {
      respondError(res, 500, 'internal-server-error', `the doctor could not run: ${(error as Error).message}`)
    } finally {
      running.delete(domain)
    }
  }
}
