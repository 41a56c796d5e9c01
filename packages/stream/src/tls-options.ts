import { constants } from 'node:crypto'

/**
 * OpenSSL options on every secure context an s2s stream uses, both roles.
 * Hosts that build their own `TlsIdentity` should set them on their contexts too.
 *
 * - No stateless session tickets: s2s never resumes a TLS session, and
 *   OpenSSL 3's TLS 1.3 tickets embed the peer's certificate (two tickets of
 *   ~1.1 KB each right after the client's Finished); a dialback-only peer
 *   aborted its connection on that flight (issue 13). With this option OpenSSL
 *   still sends two small stateful tickets (a session id, no certificate).
 * - No TLS 1.2 renegotiation: nothing in s2s needs it, and without a limit a
 *   peer could make us run full handshakes back to back (issue 12).
 */
export const S2S_SECURE_OPTIONS: number = constants.SSL_OP_NO_TICKET | constants.SSL_OP_NO_RENEGOTIATION
