import type { StatusDocument } from '../http/status-document.js'
import { type FetchStatusOptions, fetchStatus } from './fetch-status.js'
import { StatusFetchError } from './status-shape.js'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * fetchStatus, keeping what createStatusHandler adds to the status: the configuration's
 * fingerprint, its masked settings and the node's tags, each checked for shape when present.
 */
export async function fetchStatusDocument(
  url: string,
  options: FetchStatusOptions = {},
): Promise<StatusDocument> {
  const document = (await fetchStatus(url, options)) as StatusDocument
  const { settings, node, configFingerprint } = document
  const wellFormed =
    (settings === undefined || isObject(settings)) &&
    (configFingerprint === undefined || typeof configFingerprint === 'string') &&
    (node === undefined ||
      (isObject(node) &&
        typeof node.cluster === 'string' &&
        typeof node.enabled === 'boolean' &&
        (node.name === null || typeof node.name === 'string')))
  if (!wellFormed)
    throw new StatusFetchError(`${url}: the status has a malformed settings, node or configFingerprint`)
  return document
}
