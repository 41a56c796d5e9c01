import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  createHostsFile,
  createTestCA,
  createWorkdir,
  type IssuedCertificate,
  type KeyType,
  loginUser,
  stopAllPeers,
  type TestCA,
  type Workdir,
  writeCertificateFiles,
  type XmppUser,
} from '@xmpp-federation/testing'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { runCell } from './cell.js'
import { DIRECTIONS, type MatrixMode, MODES } from './modes.js'
import { startOurHost } from './our-host.js'
import { ejabberd, type PeerKind, prosody, type RunningPeer } from './peers.js'
import { recordCell } from './record.js'
import { waitUntilNoConnections } from './tcp-quiet.js'

// The interop matrix (docs/interop.md, `pnpm interop-matrix`): every peer × mode × direction.
// A peer is one line here; each configuration starts its peer once and runs both directions.
const PEERS: readonly PeerKind[] = [prosody, ejabberd]

const PEER_DOMAIN = 'a.test'
const OUR_DOMAIN = 'c.test'
const PASSWORD = 'interop-secret'

// Addresses 127.0.0.100 and up, two per configuration (the peer's, then ours): no configuration
// meets another's leftovers (TIME_WAIT, a slow stop).
const configurations = PEERS.flatMap((kind, p) =>
  Object.values(MODES).map((mode: MatrixMode, m) => {
    const index = p * Object.keys(MODES).length + m
    return { kind, mode, peerIp: `127.0.0.${100 + 2 * index}`, ourIp: `127.0.0.${101 + 2 * index}` }
  }),
)

// One CA per key type for the whole file (ECDSA modes get an all-ECDSA chain).
const authorities = new Map<KeyType, Promise<TestCA>>()
const authority = (keyType: KeyType) => {
  let ca = authorities.get(keyType)
  if (!ca) {
    ca = createTestCA({ name: `interop matrix ${keyType} CA`, keyType })
    authorities.set(keyType, ca)
  }
  return ca
}

afterAll(async () => {
  await stopAllPeers()
})

describe.each(configurations)('$kind.name · $mode.title', ({ kind, mode, peerIp, ourIp }) => {
  const unsupported = kind.unsupported(mode)
  if (unsupported) {
    it.for(DIRECTIONS)('%s: n/a', (direction, { task }) => {
      recordCell(task, {
        peer: kind.name,
        mode: mode.title,
        direction,
        applicable: false,
        reason: unsupported,
        steps: [],
      })
    })
    return
  }

  let workdir: Workdir
  let peer: RunningPeer
  let user: XmppUser
  let files: { ours?: CertificateFiles; ca?: string }

  beforeAll(async () => {
    workdir = await createWorkdir()
    const hosts = await createHostsFile(workdir.path)
    await hosts.addHost(OUR_DOMAIN, ourIp) // before the peer starts: it reads the file once
    const certificates = await issueCertificates(mode)
    const certDir = await workdir.subdir('certs')
    const write = async (name: string, cert: IssuedCertificate | undefined) =>
      cert && writeCertificateFiles(certDir, name, cert)
    const ca = path.join(certDir, 'ca.crt')
    await writeFile(ca, certificates.caPem)
    const theirs = await write(PEER_DOMAIN, certificates.peer)
    const ours = await write(OUR_DOMAIN, certificates.ours)
    files = { ours: ours && { ...ours, ca }, ca }
    peer = await kind.start({
      mode,
      workdir,
      hosts,
      domain: PEER_DOMAIN,
      ip: peerIp,
      ours: { domain: OUR_DOMAIN, ip: ourIp },
      files: theirs && { ...theirs, ca },
    })
    await peer.register('alice', PASSWORD)
    user = await loginUser({
      jid: `alice@${PEER_DOMAIN}`,
      password: PASSWORD,
      ip: peerIp,
      ca: certificates.userTrusts,
    })
  })

  afterAll(async () => {
    await user?.stop()
    await peer?.stop()
    await workdir?.cleanup()
  })

  it.for(DIRECTIONS)('%s', async (direction, { task }) => {
    recordCell(task, { peer: kind.name, mode: mode.title, direction, applicable: true, steps: [] })
    const our = await startOurHost({
      mode,
      domain: OUR_DOMAIN,
      ip: ourIp,
      peer: { domain: PEER_DOMAIN, ip: peerIp },
      files: files.ours,
    })
    try {
      await runCell({
        task,
        kind,
        mode,
        direction,
        peer,
        user,
        our,
        bot: `${direction === 'we dial' ? 'caller' : 'callee'}@${OUR_DOMAIN}`,
        ourDomain: OUR_DOMAIN,
        peerDomain: PEER_DOMAIN,
      })
    } finally {
      // Our streams close with us, and the peer must have let go of them too: the next
      // direction starts with no s2s stream at all.
      await our.stop()
      await waitUntilNoConnections(ourIp)
    }
  })
})

interface CertificateFiles {
  cert: string
  key: string
  ca: string
}

/** The mode's certificates: from the CA (of the mode's key type), self-signed, or none. */
async function issueCertificates(mode: MatrixMode) {
  const ca = await authority(mode.keyType)
  if (mode.certificates === 'none')
    return { caPem: ca.certPem, peer: undefined, ours: undefined, userTrusts: undefined }
  const issue = (domain: string) =>
    ca.issue({
      dnsNames: [domain], // DNS SANs only: ejabberd 23.01 crashes on xmppAddr
      commonName: domain,
      keyType: mode.keyType,
      selfSigned: mode.certificates === 'self-signed',
    })
  const [peer, ours] = await Promise.all([issue(PEER_DOMAIN), issue(OUR_DOMAIN)])
  // Self-signed: each side's own certificate is all a client could trust.
  const userTrusts = mode.certificates === 'ca' ? ca.certPem : peer.certPem
  return { caPem: ca.certPem, peer, ours, userTrusts }
}
