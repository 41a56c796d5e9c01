import { describe, expect, it } from 'vitest'
import { parseAuthEvents } from '../src/auth-events.js'

const log = [
  'Nov 25 12:52:14 startup\tinfo\tHello and welcome to Prosody version 0.12.3',
  'Nov 25 12:52:14 a.test:xf_auth_log\tinfo\txf-s2s-auth mechanism=EXTERNAL direction=outgoing local=a.test remote=b.test secure=true cert_chain=valid cert_identity=valid',
  'Nov 25 12:52:15 b.test:xf_auth_log\tinfo\txf-s2s-auth mechanism=dialback direction=incoming local=b.test remote=a.test secure=false cert_chain=none cert_identity=none',
  'Nov 25 12:52:16 x\tinfo\txf-s2s-auth mechanism=dialback direction=sideways',
].join('\n')

describe('parseAuthEvents', () => {
  it('reads one event per mod_xf_auth_log line and skips everything else', () => {
    expect(parseAuthEvents(log)).toEqual([
      {
        mechanism: 'EXTERNAL',
        direction: 'outgoing',
        local: 'a.test',
        remote: 'b.test',
        secure: true,
        certChain: 'valid',
        certIdentity: 'valid',
      },
      {
        mechanism: 'dialback',
        direction: 'incoming',
        local: 'b.test',
        remote: 'a.test',
        secure: false,
        certChain: 'none',
        certIdentity: 'none',
      },
    ])
  })
})
