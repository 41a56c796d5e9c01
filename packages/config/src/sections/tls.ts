import { z } from 'zod'
import { domainMap, filePath } from '../fields.js'

// Certificate and trust files of this node. Paths are node-local: they differ between nodes.

const certificateFiles = z.strictObject({ cert: filePath, key: filePath })

export const tlsSchema = z
  .strictObject({
    cert: filePath
      .optional()
      .meta({ description: 'PEM certificate (chain) presented for every local domain' }),
    key: filePath.optional().meta({ description: 'PEM private key of `cert`' }),
    ca: z.array(filePath).default([]).meta({ description: 'extra PEM CA certificates trusted for peers' }),
    systemCa: z
      .boolean()
      .default(true)
      .meta({ description: "trust the system's (Node's) CA certificates too" }),
    certificates: domainMap(certificateFiles)
      .optional()
      .meta({ description: 'certificate per local domain, instead of (or overriding) `cert`/`key`' }),
  })
  .superRefine((tls, ctx) => {
    // A certificate without its key (or the reverse) can never be served.
    if (tls.cert !== undefined && tls.key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'is required when tls.cert is set',
        params: { code: 'MISSING_VALUE' },
      })
    }
    if (tls.key !== undefined && tls.cert === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cert'],
        message: 'is required when tls.key is set',
        params: { code: 'MISSING_VALUE' },
      })
    }
  })
