import type { AuthOutcome, OutboundAuthStream } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { answers, dialbackSupport, parseDialback, resultRequest } from './elements.js'
import { DialbackError } from './errors.js'
import type { KeyMaker } from './keys.js'
import type { DialbackPolicy } from './policy.js'

export interface OriginatingDeps {
  readonly keys: KeyMaker
  readonly allowed: DialbackPolicy
  readonly timeoutMs: number
}

/**
 * Initiating server, first pair of a new outbound stream (XEP-0220 §2.1.1):
 * once the features are in, send the key and wait for the verdict.
 */
export async function authenticateOutbound(
  session: OutboundAuthStream,
  features: Element,
  deps: OriginatingDeps,
): Promise<AuthOutcome> {
  const remote = session.remoteDomain
  if (!dialbackSupport(features, session.peerHeader).dialback) {
    return { status: 'unavailable', reason: 'the peer does not offer dialback' }
  }
  if (!session.streamId) return { status: 'unavailable', reason: 'the peer sent no stream id to key on' }
  const decision = deps.allowed(remote, session)
  if (!decision.allowed) return { status: 'unavailable', reason: decision.reason ?? 'refused by policy' }
  try {
    await exchangeKey(session, session.localDomain, remote, deps)
    return { status: 'authenticated' }
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message }
  }
}

/**
 * Sends `<db:result/>` for (local → remote) and resolves when the receiving
 * server answers `valid`; rejects with a DialbackError otherwise. Stanzas for
 * the pair must wait until then (§2.1.1); other pairs keep flowing.
 */
export async function exchangeKey(
  session: OutboundAuthStream,
  local: string,
  remote: string,
  deps: Pick<OriginatingDeps, 'keys' | 'timeoutMs'>,
): Promise<void> {
  // The key binds the id the receiving server gave this stream (XEP-0185 §2).
  const key = deps.keys(remote, local, session.streamId)
  // §3.1: only an answer that matches our request on this stream counts.
  const answer = session.nextElement((el) => answers(el, 'result', remote, local), deps.timeoutMs)
  answer.catch(() => {}) // awaited below; if send() throws, nobody else will
  let reply: Element
  try {
    session.send(resultRequest(local, remote, key))
    reply = await answer
  } catch (error) {
    const timedOut = (error as { code?: string }).code === 'TIMEOUT'
    throw new DialbackError(
      'remote-server-timeout',
      timedOut
        ? `${remote} gave no dialback result for ${local} within ${deps.timeoutMs} ms`
        : `the stream to ${remote} closed before the dialback result (${(error as Error).message})`,
      { cause: error },
    )
  }
  const verdict = parseDialback(reply)!
  if (verdict.type === 'valid') return
  if (verdict.type === 'invalid') {
    // §2.5: "forbidden" is what an invalid key amounts to.
    throw new DialbackError('forbidden', `${remote} judged the dialback key of ${local} invalid`)
  }
  const condition = verdict.error?.condition ?? 'undefined-condition'
  const text = verdict.error?.text ? ` (${verdict.error.text})` : ''
  throw new DialbackError(
    condition,
    `${remote} answered the dialback key of ${local} with <${condition}/>${text}`,
  )
}
