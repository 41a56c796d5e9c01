import { parse } from 'ltx'
import { describe, expect, it } from 'vitest'
import { checkWebexInvite, classifyChatRoomInvite } from '../src/webex-invites.js'

const MUC_USER = 'http://jabber.org/protocol/muc#user'

const mediatedFromRoom = parse(
  `<message from='room@conference.webex.example' to='alice@corp.example'>
     <x xmlns='${MUC_USER}'><invite from='bob@webex.example/connect'><reason>Join us</reason></invite></x>
   </message>`,
)
const mediatedToRoom = parse(
  `<message from='bob@webex.example/connect' to='Room@Conference.Corp.Example'>
     <x xmlns='${MUC_USER}'><invite to='alice@corp.example'/></x>
   </message>`,
)
const direct = parse(
  `<message from='bob@webex.example/connect' to='alice@corp.example'>
     <x xmlns='jabber:x:conference' jid='darkcave@conference.webex.example' reason='Hey'/>
   </message>`,
)

describe('classifyChatRoomInvite', () => {
  it('recognises a XEP-0045 mediated invite forwarded by the room', () => {
    expect(classifyChatRoomInvite(mediatedFromRoom)).toEqual({
      kind: 'mediated',
      room: 'room@conference.webex.example',
    })
  })

  it('recognises a XEP-0045 mediated invite sent to the room', () => {
    expect(classifyChatRoomInvite(mediatedToRoom)).toEqual({
      kind: 'mediated',
      room: 'Room@conference.corp.example',
    })
  })

  it('recognises a XEP-0249 direct invite', () => {
    expect(classifyChatRoomInvite(direct)).toEqual({
      kind: 'direct',
      room: 'darkcave@conference.webex.example',
    })
  })

  it.each([
    [
      'a plain message',
      `<message from='bob@webex.example' to='alice@corp.example'><body>hi</body></message>`,
    ],
    [
      'a MUC decline',
      `<message from='room@conference.webex.example' to='alice@corp.example'><x xmlns='${MUC_USER}'><decline from='carol@corp.example'/></x></message>`,
    ],
    [
      'MUC presence (muc#user without invite)',
      `<message from='room@conference.webex.example'><x xmlns='${MUC_USER}'><status code='104'/></x></message>`,
    ],
    [
      'an invite in the wrong namespace',
      `<message from='room@conference.webex.example'><x xmlns='urn:example'><invite from='bob@webex.example'/></x></message>`,
    ],
    [
      'a direct invite without a room',
      `<message from='bob@webex.example'><x xmlns='jabber:x:conference'/></message>`,
    ],
    [
      'a direct invite with a malformed room',
      `<message from='bob@webex.example'><x xmlns='jabber:x:conference' jid='a@b@c'/></message>`,
    ],
    [
      'the error bounce of an invite',
      `<message type='error' from='room@conference.webex.example'><x xmlns='${MUC_USER}'><invite from='bob@webex.example'/></x></message>`,
    ],
    [
      'a presence',
      `<presence from='room@conference.webex.example/bob'><x xmlns='${MUC_USER}'><invite/></x></presence>`,
    ],
  ])('ignores %s', (_what, xml) => {
    expect(classifyChatRoomInvite(parse(xml))).toBeUndefined()
  })
})

describe('checkWebexInvite', () => {
  const reject = { webex: true, webexInvites: 'reject' } as const

  it('refuses an invite from a WebEx domain with feature-not-implemented and an explanation', () => {
    for (const stanza of [mediatedFromRoom, mediatedToRoom, direct]) {
      const decision = checkWebexInvite('webex.example', stanza, reject)
      expect(decision).toMatchObject({
        allowed: false,
        code: 'WEBEX_INVITE',
        condition: 'feature-not-implemented',
      })
      expect(decision.reason).toContain(
        'WebEx Connect clients cannot invite users of this domain to temporary or persistent chat rooms',
      )
    }
  })

  it('passes other stanzas, other domains, and invites when webexInvites is pass', () => {
    expect(
      checkWebexInvite('webex.example', parse('<message><body>hi</body></message>'), reject).allowed,
    ).toBe(true)
    expect(
      checkWebexInvite('prosody.example', direct, { webex: false, webexInvites: 'reject' }).allowed,
    ).toBe(true)
    expect(checkWebexInvite('webex.example', direct, { webex: true, webexInvites: 'pass' })).toMatchObject({
      allowed: true,
      code: 'ALLOWED',
    })
  })
})
