import { z } from 'zod'
import { federationConfigSchema } from './schema.js'

/**
 * The configuration file format as JSON Schema (draft 2020-12), for editors and other tools.
 * It describes the input: keys with defaults are optional. Checks that span several settings
 * (e.g. a SIP domain also configured for XMPP) exist only in parseConfig.
 */
export function federationConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(federationConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >
}

/** Where the generated schema is committed, relative to the package directory. */
export const JSON_SCHEMA_FILE = 'schema/federation-config.schema.json'
