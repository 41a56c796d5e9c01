/**
 * What every xmpp-federation package agrees on: the RFC 6120 condition
 * vocabularies, and what a domain and an address are.
 *
 * @example
 * ```ts
 * import { checkDomain, domainOfAddress } from '@xmpp-federation/interface'
 * checkDomain('Bücher.example.') // { ok: true, value: 'xn--bcher-kva.example' }
 * domainOfAddress('a@b@c.example') // undefined: never routed
 * ```
 * @packageDocumentation
 */
export * from './address.js'
export type * from './auth.js'
export type * from './conditions.js'
