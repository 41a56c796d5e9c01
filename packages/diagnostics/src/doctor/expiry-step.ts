import type { X509Certificate } from 'node:crypto'
import { daysUntil, isoDay, validity } from '../certificates/describe.js'
import { fail, pass, type StepResult, warn } from './step-result.js'

interface ExpiryContext {
  domain: string
  target: string
  now: Date
  /** Warn when fewer days than this remain. */
  expiryDays: number
}

export function expiryStep(leaf: X509Certificate, context: ExpiryContext): StepResult {
  const { target, now, expiryDays, domain } = context
  const { notBefore, notAfter } = validity(leaf)
  const renew = `Remote side: renew the certificate of ${domain} and reload its server.`
  if (!(now >= notBefore)) {
    return fail({
      step: 'expiry',
      code: 'TLS_CERT_NOT_YET_VALID',
      message: `not valid before ${isoDay(notBefore)}`,
      hint: `Either side: a clock is wrong (check NTP on both servers), or the remote installed its new certificate too early. ${renew}`,
      side: 'either',
      target,
    })
  }
  const days = daysUntil(notAfter, now)
  if (!(now <= notAfter)) {
    return fail({
      step: 'expiry',
      code: 'TLS_CERT_EXPIRED',
      message: `expired on ${isoDay(notAfter)} (${-days} day(s) ago)`,
      hint: renew,
      side: 'remote',
      target,
    })
  }
  if (days < expiryDays) {
    return warn({
      step: 'expiry',
      code: 'TLS_CERT_EXPIRING',
      message: `expires on ${isoDay(notAfter)}, in ${days} day(s)`,
      hint: `${renew} Federation with ${domain} stops the day it expires.`,
      side: 'remote',
      target,
    })
  }
  const message = `valid until ${isoDay(notAfter)} (${days} days)`
  return pass({ step: 'expiry', code: 'TLS_CERT_VALID', message, target })
}
