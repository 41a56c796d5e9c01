import type { Element } from 'ltx'
import { allow, type Decision, refuse } from './decision.js'
import { parseAddress } from './domain-name.js'

/** XEP-0045 namespace of mediated chat-room invitations. */
export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
/** XEP-0249 namespace of direct chat-room invitations. */
export const NS_CONFERENCE = 'jabber:x:conference'

/** A chat-room invitation found in a message: how it was sent and to which room. */
export interface ChatRoomInvite {
  /** XEP-0045 §7.8.2 mediated (through the room) or XEP-0249 direct. */
  readonly kind: 'mediated' | 'direct'
  /** The room's bare JID. */
  readonly room: string
}

/**
 * Recognises an invitation to a chat room:
 * - XEP-0045 mediated: `<message><x xmlns='…muc#user'><invite/></x></message>`, either
 *   inviter -> room (`<invite to=…>`, the room is the `to`) or room -> invitee
 *   (`<invite from=…>`, the room is the `from`);
 * - XEP-0249 direct: `<message><x xmlns='jabber:x:conference' jid='room@…'/></message>`.
 * A decline, an error bounce of an invite, or a direct invite without a valid room JID
 * is not an invitation.
 */
export function classifyChatRoomInvite(stanza: Element): ChatRoomInvite | undefined {
  if (!stanza.is('message') || stanza.attrs.type === 'error') return undefined

  const direct = stanza.getChild('x', NS_CONFERENCE)
  const roomJid = bareAddress(direct?.attrs.jid)
  if (direct && roomJid !== undefined) return { kind: 'direct', room: roomJid }

  const invite = stanza.getChild('x', NS_MUC_USER)?.getChild('invite')
  if (!invite) return undefined
  const roomSide = invite.attrs.from !== undefined ? stanza.attrs.from : stanza.attrs.to
  const room = bareAddress(roomSide)
  return room === undefined ? undefined : { kind: 'mediated', room }
}

function bareAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const parts = parseAddress(value)
  if (parts === undefined) return undefined
  return parts.local === undefined ? parts.domain : `${parts.local}@${parts.domain}`
}

/** The text the sender gets back, so the refusal explains itself. */
export const WEBEX_INVITE_TEXT =
  'WebEx Connect clients cannot invite users of this domain to temporary or persistent chat rooms ' +
  '(a design constraint of the WebEx Connect client); the invitation was not delivered'

/**
 * The WebEx constraint as a deterministic outcome: an invite from a WebEx-tagged domain
 * is refused with feature-not-implemented and the explanation above (so the sender
 * and the host both learn why), unless `webexInvites` is 'pass'.
 */
export function checkWebexInvite(
  remote: string,
  stanza: Element,
  options: { webex: boolean; webexInvites: 'reject' | 'pass' },
): Decision {
  if (!options.webex) return allow(`${remote} is not a WebEx Messenger domain`)
  const invite = classifyChatRoomInvite(stanza)
  if (invite === undefined) return allow(`not a chat-room invite from ${remote}`)
  if (options.webexInvites === 'pass') {
    return allow(
      `${invite.kind} invite to ${invite.room} from WebEx domain ${remote} passed (webexInvites is pass)`,
    )
  }
  return refuse(
    'WEBEX_INVITE',
    `${WEBEX_INVITE_TEXT} (${invite.kind} invite to ${invite.room} from ${remote})`,
  )
}
