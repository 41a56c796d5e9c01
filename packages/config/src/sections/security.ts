import { z } from 'zod'

// How streams are protected and authenticated: globally, and per remote domain as overrides.

export const tlsModes = ['none', 'opportunistic', 'required'] as const

export const tlsModeSchema = z.enum(tlsModes).meta({
  description:
    'none: never TLS; opportunistic: TLS when both sides offer it; required: no stream without TLS',
})

export const securitySchema = z.strictObject({
  tls: tlsModeSchema.default('required'),
  requireValidCertificate: z
    .boolean()
    .default(true)
    .meta({ description: 'refuse peers whose certificate is untrusted or does not name their domain' }),
  saslExternal: z
    .strictObject({
      inbound: z.boolean().default(true).meta({ description: 'accept SASL EXTERNAL (XEP-0178) from peers' }),
      outbound: z.boolean().default(true).meta({ description: 'authenticate to peers with SASL EXTERNAL' }),
    })
    .prefault({}),
  dialback: z.boolean().default(true).meta({ description: 'allow Server Dialback (XEP-0220)' }),
})

/** Per-domain security: every key optional, an absent key inherits the global `security` value. */
export const securityOverrideShape = {
  tls: tlsModeSchema.optional(),
  requireValidCertificate: z.boolean().optional(),
  saslExternal: z
    .strictObject({ inbound: z.boolean().optional(), outbound: z.boolean().optional() })
    .optional(),
  dialback: z.boolean().optional(),
}

export const dialbackSchema = z.strictObject({
  secret: z
    .string()
    .min(16, { error: 'must be at least 16 characters long' })
    .meta({ description: 'dialback key secret (XEP-0185); share it between the nodes of all clusters' }),
})
