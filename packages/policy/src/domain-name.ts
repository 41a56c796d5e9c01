/** Domains and JIDs, as every package reads them (see @xmpp-federation/interface). */
export {
  type AddressParts,
  bareKey,
  domainOfAddress,
  isValidLocalpart,
  normalizeDomain,
  parseAddress,
} from '@xmpp-federation/interface'
