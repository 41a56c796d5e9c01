// @peculiar/x509 finds its ASN.1 parsers through tsyringe, which needs a Reflect metadata
// polyfill loaded before it: every use of the library goes through this module.
import 'reflect-metadata'

export * as x509 from '@peculiar/x509'
