import { z } from 'zod'
import { checkConsistency } from './consistency.js'
import { domainName } from './fields.js'
import { queueSchema, streamsSchema, timeoutsSchema } from './sections/delivery.js'
import { emailForFederationSchema } from './sections/email-for-federation.js'
import { dnsSchema, httpSchema, listenerSchema, routesSchema } from './sections/endpoints.js'
import { policySchema } from './sections/policy.js'
import { dialbackSchema, securitySchema } from './sections/security.js'
import { tlsSchema } from './sections/tls.js'

// Objects are strict so that a mistyped key is an error instead of a silently applied default.
const federationSettingsSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'JSON Schema reference for editors; ignored' }),
  cluster: z.string().min(1).optional().meta({ description: 'name of the cluster this node belongs to' }),
  node: z.string().min(1).optional().meta({ description: 'name of this node, used in diagnostics' }),
  enabled: z.boolean().default(true).meta({ description: 'federation runs on this node' }),
  domains: z
    .array(domainName)
    .min(1, { error: 'must list at least one local domain' })
    .meta({ description: 'the local domains this deployment federates for' }),
  listen: z
    .array(listenerSchema)
    .default([])
    .meta({ description: 'inbound s2s listeners; none means outbound only' }),
  tls: tlsSchema.prefault({}),
  security: securitySchema.prefault({}),
  dialback: dialbackSchema.optional(),
  routes: routesSchema.default({}),
  dns: dnsSchema.prefault({}),
  policy: policySchema.prefault({}),
  emailForFederation: emailForFederationSchema.prefault({}),
  queue: queueSchema.prefault({}),
  streams: streamsSchema.prefault({}),
  timeouts: timeoutsSchema.prefault({}),
  http: httpSchema
    .optional()
    .meta({ description: 'HTTP endpoint of a host application, e.g. the gateway example' }),
})

/** The configuration as each section validates it, before the checks across sections. */
export type FederationSettings = z.output<typeof federationSettingsSchema>

/**
 * The one configuration of a federation deployment, read alike by the router, the policy and the
 * diagnostics.
 */
export const federationConfigSchema = federationSettingsSchema.superRefine(checkConsistency).meta({
  title: 'xmpp-federation configuration',
  description: 'Configuration of an XMPP server-to-server federation deployment (@xmpp-federation/config)',
})

/** A validated configuration with every default filled in and every domain normalised. */
export type FederationConfig = z.output<typeof federationConfigSchema>
/** What a configuration file or object may contain: defaulted keys are optional. */
export type FederationConfigInput = z.input<typeof federationConfigSchema>

/** How TLS is required towards peers: `required`, `opportunistic` or `none`. */
export type TlsMode = FederationConfig['security']['tls']
/** The `security` section: TLS, certificate checks and authentication methods. */
export type SecuritySettings = FederationConfig['security']
/** The `policy` section: who may federate, per-domain overrides, peer rules and limits. */
export type PolicySettings = FederationConfig['policy']
/** The override for one remote domain (pattern) under `policy.domains`. */
export type DomainPolicy = PolicySettings['domains'][string]
/** The resource limits of `policy.limits`, applied per remote domain. */
export type Limits = PolicySettings['limits']
/** One entry of `policy.peerRules`: a peer software product (and version) to allow or refuse. */
export type PeerRule = PolicySettings['peerRules'][number]
/** The `emailForFederation` section: show our users to peers by email address instead of JID. */
export type EmailForFederationSettings = FederationConfig['emailForFederation']
/** One entry of `listen`: an address and port to accept s2s connections on. */
export type Listener = FederationConfig['listen'][number]
/** One static route target for a remote domain, used instead of DNS. */
export type RouteTarget = FederationConfig['routes'][string][number]
