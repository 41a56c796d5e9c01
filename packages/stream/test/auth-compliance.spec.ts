import { trustingDialback } from '../fuzz/trusting-dialback.js'
import { saslExternal } from '../src/index.js'
import { describeAuthMechanism } from './compliance/auth-mechanism-suite.js'

describeAuthMechanism('SASL EXTERNAL', {
  mechanisms: () => [saslExternal()],
  security: { tls: 'required', requireValidCertificate: true },
})

// The fuzzers' stand-in: proves the contract holds for a mechanism outside this package's own.
describeAuthMechanism('a test mechanism (trusting dialback)', {
  mechanisms: () => [trustingDialback()],
  security: { tls: 'required', requireValidCertificate: true },
})
