import type { XmppUser } from '@xmpp-federation/testing'
import type { Element } from 'ltx'
import { expect } from 'vitest'
import type { DomainStatus } from '../../src/index.js'
import { xml } from '../../src/index.js'
import type { Direction, MatrixMode } from './modes.js'
import type { OurHost } from './our-host.js'
import type { PeerKind, RunningPeer } from './peers.js'
import { recordCell, recordStep } from './record.js'

export interface CellContext {
  readonly task: { meta: object }
  readonly kind: PeerKind
  readonly mode: MatrixMode
  readonly direction: Direction
  readonly peer: RunningPeer
  readonly user: XmppUser
  readonly our: OurHost
  /** Our address for this cell (a fresh one per direction, so the peer's roster starts empty for it). */
  readonly bot: string
  readonly ourDomain: string
  readonly peerDomain: string
}

/**
 * One cell: the first message in the cell's direction (so the right side
 * opens the s2s stream), a reply the other way, a presence subscription both
 * ways until the peer's roster says 'both', an XEP-0199 ping, then what the
 * streams negotiated, from our status and from the peer's own log.
 */
export async function runCell(cell: CellContext): Promise<void> {
  const { task, our, user, bot } = cell
  const step = (name: string) => recordStep(task, name)
  const id = (suffix: string) => `${cell.mode.id}-${cell.direction.replace(' ', '-')}-${suffix}`
  const toUser = (suffix: string) =>
    xml('message', { from: bot, to: user.bareJid, type: 'chat', id: id(suffix) }, xml('body', {}, suffix))
  const toBot = (suffix: string) =>
    xml('message', { to: bot, type: 'chat', id: id(suffix) }, xml('body', {}, suffix))
  const userGets = (suffix: string) => user.nextStanza((s) => s.attrs.id === id(suffix), 15_000)
  const botGets = (suffix: string) => our.next((s) => s.attrs.id === id(suffix), 15_000)

  if (cell.direction === 'we dial') {
    await our.federation.send(toUser('first'))
    expect((await userGets('first')).getChildText('body')).toBe('first')
    step('message to the peer (we open the stream)')
    await user.send(toBot('reply'))
    expect((await botGets('reply')).attrs.from).toBe(user.jid)
    step('message from the peer')
  } else {
    await user.send(toBot('first'))
    expect((await botGets('first')).attrs.from).toBe(user.jid)
    step('message from the peer (it opens the stream)')
    await our.federation.send(toUser('reply'))
    expect((await userGets('reply')).getChildText('body')).toBe('reply')
    step('message to the peer')
  }

  await subscribeBothWays(user, bot)
  step("presence subscription, 'both' in the peer's roster")

  const rtt = await our.federation.ping(cell.ourDomain, cell.peerDomain)
  expect(rtt).toBeGreaterThan(0)
  step('XEP-0199 ping')

  await recordStreams(cell)
}

/** The user asks bot for its presence; bot approves and asks back (our-host.ts); the user approves. */
async function subscribeBothWays(user: XmppUser, bot: string): Promise<void> {
  const fromBot = (type: string) => (s: Element) =>
    s.is('presence') && s.attrs.type === type && s.attrs.from?.split('/')[0] === bot
  await user.send(xml('presence', { to: bot, type: 'subscribe' }))
  await user.nextStanza(fromBot('subscribed'), 15_000)
  await user.nextStanza(fromBot('subscribe'), 15_000)
  await user.send(xml('presence', { to: bot, type: 'subscribed' }))
  await expect
    .poll(async () => rosterItem(user, bot), { timeout: 10_000, interval: 200 })
    .toMatchObject({ subscription: 'both' })
}

async function rosterItem(user: XmppUser, jid: string): Promise<Record<string, string> | undefined> {
  const roster = await user.request(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })))
  const item = roster
    .getChild('query', 'jabber:iq:roster')
    ?.getChildren('item')
    .find((i) => i.attrs.jid === jid)
  return item?.attrs
}

/**
 * What the stream this cell is about negotiated: the one we opened (we dial)
 * or the one the peer opened (they dial). XEP-0198 and XEP-0288 are expected
 * exactly when the peer has them; the peer's log must name the same mechanism.
 */
async function recordStreams(cell: CellContext): Promise<void> {
  const { task, kind, mode, our } = cell
  const streamOf = (): DomainStatus | undefined => {
    const domains = our.federation.status().domains.filter((d) => d.remote === cell.peerDomain)
    // We dial: our own link (not one riding the peer's stream, whose target names XEP-0288).
    return cell.direction === 'we dial'
      ? domains.find(
          (d) => d.direction === 'outbound' && d.target !== undefined && !d.target.includes('XEP-0288'),
        )
      : domains.find((d) => d.direction === 'inbound' && d.authMechanism !== undefined)
  }
  const stream = streamOf()
  expect(stream, 'the stream of this direction').toBeDefined()
  // The peer's own account of the same stream (ejabberd's log reaches the file a moment later).
  const peerSide = cell.direction === 'we dial' ? 'incoming' : 'outgoing'
  const peerView = async () =>
    (await cell.peer.authEvents()).find((e) => e.remote === cell.ourDomain && e.direction === peerSide)
  await expect.poll(peerView, { timeout: 5_000, interval: 100 }).toBeDefined()
  const peerEvent = await peerView()
  recordCell(task, {
    mechanism: stream?.authMechanism,
    peerMechanism: peerEvent?.mechanism,
    tls: `${stream?.tlsVersion ?? 'none'}${mode.directTls ? ', direct' : ''}`,
  })
  // We dial: the link says where it connected. They dial: our only listener was the direct TLS one.
  if (mode.directTls && cell.direction === 'we dial') expect(stream?.target).toMatch(/\(direct TLS\)$/)
  expect(stream?.authMechanism).toBe(mode.expectedMechanism)
  expect(peerEvent?.mechanism).toBe(mode.expectedMechanism)
  if (mode.certificates === 'none') expect(stream?.tlsVersion).toBeUndefined()
  else expect(stream?.tlsVersion).toMatch(/^TLSv1\.[23]$/)

  // XEP-0198 is offered only on an authenticated stream (Prosody's mod_smacks and our side alike),
  // and dialback authenticates after the only features, with no stream restart to offer it again.
  const smLacks =
    kind.streamManagement ?? (mode.expectedMechanism === 'dialback' ? DIALBACK_HAS_NO_SM : undefined)
  // The peer enables XEP-0198 on its own stream right after its first stanzas: give it a moment.
  if (smLacks === undefined) {
    await expect.poll(() => streamOf()?.streamManagement, { timeout: 3_000 }).toBe(true)
  }
  // Our outbound side asks for XEP-0288 only when the peer's certificate proves its domain
  // (packages/stream/src/outbound.ts requestBidi); the peer's own request we accept either way.
  const bidiLacks =
    kind.bidi ??
    (cell.direction === 'we dial' && mode.certificates !== 'ca'
      ? WE_ASK_BIDI_ONLY_WITH_CERTIFICATE
      : undefined)
  const sm = streamOf()?.streamManagement ?? false
  const bidi = streamOf()?.bidi ?? false
  recordCell(task, {
    streamManagement: smLacks ? `n/a: ${smLacks}` : sm ? 'yes' : 'no',
    bidi: bidiLacks ? `n/a: ${bidiLacks}` : bidi ? 'yes' : 'no',
  })
  expect(sm).toBe(smLacks === undefined)
  expect(bidi).toBe(bidiLacks === undefined)
}

const WE_ASK_BIDI_ONLY_WITH_CERTIFICATE =
  'we ask for it only when the peer certificate is valid for its domain'

const DIALBACK_HAS_NO_SM =
  'offered only after authentication, and dialback has no stream restart to offer it on'
