/**
 * Domains and addresses, as every package reads them (see @xmpp-federation/interface):
 * lower-case A-labels, no final dot, URL syntax and IP literals refused. Both
 * lookups are memoised there: they run several times per stanza.
 */
export { domainOfAddress, normalizeDomain, parseAddress, requireDomain } from '@xmpp-federation/interface'
