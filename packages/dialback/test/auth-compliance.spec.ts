import { describeAuthMechanism } from '../../stream/test/compliance/auth-mechanism-suite.js'
import { dialback } from '../src/index.js'

// Certificates that chain, but the policy does not require them: dialback runs its full
// exchange, the receiving side asking the authoritative server over a verification stream.
describeAuthMechanism('Server Dialback', {
  mechanisms: () => [dialback({ secret: 'compliance-suite-secret', timeoutMs: 3000 })],
  security: { tls: 'required', requireValidCertificate: false },
})
