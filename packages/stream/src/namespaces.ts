/** XML namespaces an s2s stream speaks (RFC 6120, XEP-0220, XEP-0288, XEP-0478). */
export const NS = {
  server: 'jabber:server',
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  dialback: 'jabber:server:dialback',
  dialbackFeature: 'urn:xmpp:features:dialback',
  limits: 'urn:xmpp:stream-limits:0',
  bidi: 'urn:xmpp:bidi',
  bidiFeature: 'urn:xmpp:features:bidi',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const
