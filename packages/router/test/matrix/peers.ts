import {
  type HostsFile,
  type S2sAuthEvent,
  startEjabberd,
  startProsody,
  type Workdir,
} from '@xmpp-federation/testing'
import { DIRECT_TLS_PORT, type MatrixMode } from './modes.js'

/** What a peer launcher gets: the mode, where to bind, and the files made for this configuration. */
export interface PeerSetup {
  readonly mode: MatrixMode
  readonly workdir: Workdir
  readonly hosts: HostsFile
  readonly domain: string
  readonly ip: string
  /** Our domain and address (the peer dials it). */
  readonly ours: { readonly domain: string; readonly ip: string }
  /** PEM files of the peer's certificate (chain, key, both) and of the test CA; none in plaintext mode. */
  readonly files?: { readonly cert: string; readonly key: string; readonly pem: string; readonly ca: string }
}

/** A running peer, whatever the server. */
export interface RunningPeer {
  register(user: string, password: string): Promise<void>
  authEvents(): Promise<S2sAuthEvent[]>
  stop(): Promise<void>
}

/** A feature the peer lacks on s2s, with the reason the doc gives. */
export type Lacks = string | undefined

export interface PeerKind {
  readonly name: string
  /** Why this peer cannot do a mode at all (the cell becomes n/a), or undefined. */
  unsupported(mode: MatrixMode): string | undefined
  /** XEP-0198 on s2s: undefined when the peer has it (the test then expects it), else why not. */
  readonly streamManagement: Lacks
  /** XEP-0288 on s2s: likewise. */
  readonly bidi: Lacks
  start(setup: PeerSetup): Promise<RunningPeer>
}

// mod_smacks and mod_s2s_bidi ship with Prosody 0.12; our launcher leaves them out unless asked.
const PROSODY_S2S_EXTRAS = ['smacks', 's2s_bidi']

export const prosody: PeerKind = {
  name: 'Prosody 0.12',
  unsupported: () => undefined,
  streamManagement: undefined,
  bidi: undefined,
  start: ({ mode, workdir, hosts, domain, ip, ours, files }) =>
    startProsody({
      workdir,
      hosts,
      domain,
      ip,
      // 'cert' = CA trusted and s2s_secure_auth; 'dialback' = no CA, untrusted certificates accepted.
      mode: mode.certificates === 'none' ? 'plain' : mode.certificates === 'ca' ? 'cert' : 'dialback',
      certificate: files && { cert: files.cert, key: files.key },
      cafile: mode.certificates === 'ca' ? files?.ca : undefined,
      modules: PROSODY_S2S_EXTRAS,
      scramIterations: 1000, // fast c2s logins
      ...(mode.directTls && {
        s2sDirectTlsPort: DIRECT_TLS_PORT,
        // Prosody looks for _xmpps-server first and dials with direct TLS when it finds one.
        dnsRecord: `_xmpps-server._tcp.${ours.domain}. IN SRV 0 0 ${DIRECT_TLS_PORT} ${ours.domain}.`,
      }),
    }),
}

export const ejabberd: PeerKind = {
  name: 'ejabberd 23.01',
  unsupported: () => undefined,
  streamManagement: 'ejabberd 23.01: mod_stream_mgmt serves c2s only',
  bidi: 'ejabberd 23.01: no XEP-0288',
  start: ({ mode, workdir, hosts, domain, ip, ours, files }) =>
    startEjabberd({
      workdir,
      hosts,
      domain,
      ip,
      mode: mode.certificates === 'none' ? 'plain' : mode.certificates === 'ca' ? 'cert' : 'dialback',
      certificate: files && { pem: files.pem },
      cafile: mode.certificates === 'ca' ? files?.ca : undefined,
      // Dialback beside a trusted CA: without it ejabberd's cert mode knows only EXTERNAL.
      dialback: mode.expectedMechanism === 'dialback',
      ...(mode.directTls && {
        directTlsPort: DIRECT_TLS_PORT,
        // ejabberd tries _xmpps-server before _xmpp-server.
        srvRecords: { [ours.domain]: { ip: ours.ip, port: DIRECT_TLS_PORT, directTls: true } },
      }),
    }),
}
