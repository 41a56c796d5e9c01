import type { AuthComponents, VerificationStream } from '@xmpp-federation/stream'
import type { Element } from 'ltx'
import { answers, parseDialback, verifyRequest } from './elements.js'
import { DialbackError } from './errors.js'

export interface VerificationRequest {
  /** Our domain, the target of the key (the db:verify's `from`). */
  readonly receiving: string
  /** The domain the key claims (the db:verify's `to`): we ask its authoritative server. */
  readonly originating: string
  /** The id of our inbound stream the key was sent on. */
  readonly streamId: string
  readonly key: string
}

/**
 * Receiving server, steps 2 and 3 (XEP-0220 §2.1.2): opens a stream to the
 * originating domain's authoritative server, sends `<db:verify/>` and returns
 * its verdict, all within `timeoutMs`. The stream serves only this question and
 * is closed after the answer, as §2.1.2 advises. Failures become the §2.5
 * conditions the receiving server reports: `remote-server-timeout` when the
 * server is silent or hangs up, `remote-server-not-found` when it cannot be
 * reached or does not know the domain.
 */
export async function askAuthoritativeServer(
  open: AuthComponents['openVerificationStream'],
  request: VerificationRequest,
  timeoutMs: number,
): Promise<'valid' | 'invalid'> {
  const { receiving, originating, streamId, key } = request
  const deadline = Date.now() + timeoutMs
  const stream = await withDeadline(open(receiving, originating), timeoutMs, originating)
  try {
    const answer = stream.nextElement(
      (el) => answers(el, 'verify', originating, receiving, streamId),
      Math.max(1, deadline - Date.now()),
    )
    answer.catch(() => {}) // awaited below; if send() throws, nobody else will
    let reply: Element
    try {
      stream.send(verifyRequest(receiving, originating, streamId, key))
      reply = await answer
    } catch (error) {
      throw silentServer(originating, timeoutMs, error)
    }
    const verdict = parseDialback(reply)!
    if (verdict.type === 'valid' || verdict.type === 'invalid') return verdict.type
    const condition = verdict.error?.condition ?? 'undefined-condition'
    throw new DialbackError(
      'remote-server-not-found',
      `the authoritative server of ${originating} answered <${condition}/>`,
    )
  } finally {
    void stream.close()
  }
}

/** Waits for the verification stream, but no longer than the attempt may take. */
async function withDeadline(opening: Promise<VerificationStream>, timeoutMs: number, originating: string) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DialbackError(
            'remote-server-timeout',
            `no stream to the authoritative server of ${originating} within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([opening, timeout])
  } catch (error) {
    // A stream that arrives after we gave up is of no use to anyone.
    opening.then(
      (late) => void late.close(),
      () => {},
    )
    if (error instanceof DialbackError) throw error
    throw unreachableServer(originating, error)
  } finally {
    clearTimeout(timer)
  }
}

function unreachableServer(originating: string, error: unknown): DialbackError {
  const { code, message } = error as { code?: string; message?: string }
  if (code === 'TIMEOUT') return silentServer(originating, undefined, error)
  return new DialbackError(
    'remote-server-not-found',
    `cannot reach the authoritative server of ${originating}: ${message ?? String(error)}`,
    { cause: error },
  )
}

function silentServer(originating: string, timeoutMs: number | undefined, error: unknown): DialbackError {
  const { code, condition, message } = error as { code?: string; condition?: string; message?: string }
  if (condition === 'host-unknown') {
    return new DialbackError(
      'remote-server-not-found',
      `the authoritative server does not host ${originating}`,
      { cause: error },
    )
  }
  const why =
    code === 'TIMEOUT'
      ? `did not answer${timeoutMs ? ` within ${timeoutMs} ms` : ''}`
      : `closed the stream without answering (${message ?? String(error)})`
  return new DialbackError('remote-server-timeout', `the authoritative server of ${originating} ${why}`, {
    cause: error,
  })
}
