import { z } from 'zod'
import { domainName } from '../fields.js'

// Our users may appear to federated contacts under their email address instead of their JID.

export const emailForFederationSchema = z.strictObject({
  enabled: z.boolean().default(false),
  unmapped: z.enum(['keep-jid', 'refuse']).default('keep-jid').meta({
    description:
      'users without an email address: keep-jid federates them under their JID; refuse refuses their stanzas with an error',
  }),
  emailDomains: z.array(domainName).default([]).meta({
    description:
      "domains of our users' email addresses, served besides `domains` so replies route back to us",
  }),
})
