import { z } from 'zod'
import { checkDomainName, checkDomainPattern, checkHost, type NameCheck } from './domain-name.js'
import { quote } from './quote.js'

// Building blocks shared by the sections of the configuration schema.

const PORT_RULE = 'must be an integer from 1 to 65535'

export const port = z.int({ error: PORT_RULE }).min(1, { error: PORT_RULE }).max(65535, { error: PORT_RULE })

export const positiveInt = z.int().min(1)

export const milliseconds = positiveInt.meta({ description: 'milliseconds' })

export const filePath = z.string().min(1).meta({
  description: 'file path; relative paths are resolved against the directory of the configuration file',
})

/** A string checked by `check` and replaced by its normalised form (e.g. lower-case A-labels). */
function checkedName(check: (input: string) => NameCheck, what: string, example: string) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const result = check(value)
      if (!result.ok) {
        ctx.addIssue({
          code: 'custom',
          message: `must be ${what}, but ${quote(value)} ${result.problem}`,
          params: { fix: `write ${what} such as ${example}` },
        })
      }
    })
    .overwrite((value) => {
      const result = check(value)
      return result.ok ? result.value : value
    })
}

export const domainName = checkedName(checkDomainName, 'a domain name', "'example.com'").meta({
  description: 'DNS domain name; internationalised names are accepted and stored as lower-case A-labels',
})

export const domainPattern = checkedName(
  checkDomainPattern,
  "a domain or a '*.domain' pattern",
  "'example.com' or '*.example.com'",
).meta({
  description: "exact domain, or '*.example.com' for every subdomain of example.com",
})

export const host = checkedName(
  checkHost,
  'an IP address or a host name',
  "'192.0.2.10' or 'xmpp.example.com'",
)

/** A map keyed by domain names (or patterns); keys are validated and normalised like the values of `domainName`. */
export function domainMap<Value extends z.ZodType>(value: Value, keys: 'domains' | 'patterns' = 'domains') {
  const check = keys === 'domains' ? checkDomainName : checkDomainPattern
  const what = keys === 'domains' ? 'domain names' : "domains or '*.domain' patterns"
  return z
    .record(z.string(), value)
    .superRefine((map, ctx) => {
      const firstSpelling = new Map<string, string>()
      for (const key of Object.keys(map)) {
        const result = check(key)
        if (!result.ok) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `keys must be ${what}, but ${quote(key)} ${result.problem}`,
            params: { fix: "write the key as a domain such as 'example.com'" },
          })
          continue
        }
        const earlier = firstSpelling.get(result.value)
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `names the same domain as ${quote(earlier)} (${result.value})`,
            params: { fix: 'merge the two entries into one', code: 'DUPLICATE' },
          })
        }
        firstSpelling.set(result.value, key)
      }
    })
    .overwrite((map) => {
      const normalised: Record<string, z.output<Value>> = {}
      for (const [key, entry] of Object.entries(map)) {
        const result = check(key)
        normalised[result.ok ? result.value : key] = entry
      }
      return normalised
    })
}
