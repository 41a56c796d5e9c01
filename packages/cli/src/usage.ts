/** The command line could not be understood: exit code 2, with the usage of the command. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The command line's exit codes, the same for every command. */
export const EXIT = {
  /** Everything checked is fine. */
  ok: 0,
  /** The command ran and found problems. */
  problems: 1,
  /** The command could not run as asked: unknown option, missing argument, unreadable input. */
  usage: 2,
} as const

export const COMMAND_USAGE: Record<string, string> = {
  certs: `xmpp-federation certs DOMAIN... --out DIR [--key-type rsa|ecdsa-p256] [--days N] [--force] [--json]

Makes certificates for development and tests: a CA (DIR/ca.crt, DIR/ca.key) and, per
DOMAIN, a server certificate with the domain as its only subjectAltName (DNS), for
serverAuth and clientAuth, as DIR/DOMAIN.crt (with the CA) and DIR/DOMAIN.key. Keys are
mode 0600. A CA already in DIR signs the new certificates, so a domain can be added
later. It refuses to replace a DOMAIN's files unless --force. --key-type (default rsa)
applies to every new key; --days (default 365) to the domain certificates.
In each configuration: tls.cert DOMAIN.crt, tls.key DOMAIN.key, tls.ca [ca.crt].`,
  'check-config': `xmpp-federation check-config FILE [--expiry-days N] [--strict] [--json]

Validates a configuration file (.json, .yaml, .yml): the schema and the checks across
settings, then what needs the files it names: certificates that do not name the local
domains, certificates or CAs expiring within N days (default 30), keys that do not fit
their certificate, routes for domains the policy refuses, a missing dialback secret.`,
  diff: `xmpp-federation diff FILE|URL... [--token TOKEN] [--timeout MS] [--strict] [--json]

Compares the configurations of several nodes, each tagged with cluster and node: every
cluster needs a node with federation enabled, and the federation settings must be the
same everywhere. Lists each differing setting with each cluster's value. Secrets are
shown as a short fingerprint, never in clear.

A URL (http:// or https://) is a running node: its status (createStatusHandler's /status,
as for the status command) shows the settings it runs with, fingerprint and secrets
masked. Files and URLs mix. --token is sent as a Bearer token to every URL.`,
  doctor: `xmpp-federation doctor DOMAIN [--config FILE] [--local-domain DOMAIN] [--dns-server IP[:PORT]]...
                                [--route HOST:PORT]... [--ca FILE]... [--expiry-days N]
                                [--timeout MS] [--strict] [--json]

Tells why federation with DOMAIN fails, step by step: our policy, DNS (SRV _xmpps-server
and _xmpp-server, then A/AAAA), TCP per target, STARTTLS and direct TLS, the certificate
(chain, name, expiry, key usage), the features offered, then a real authentication
(SASL EXTERNAL, then dialback) when --config gives a local domain and certificate.`,
  'migration-plan': `xmpp-federation migration-plan DOMAIN --config FILE [--json]

Lists, in order, the steps to move federation with DOMAIN from SIP to XMPP, from the
policy of the configuration FILE: first remove DOMAIN from policy.sipFederatedDomains
(and from the SIP side), then enable XMPP federation with it (policy.allow or
policy.deny, depending on policy.mode), then check it with doctor. Exit code 0 when
DOMAIN already federates over XMPP only, 1 while a step remains. Certificates and keys
the file names need not exist yet.`,
  reload: `xmpp-federation reload URL [--token TOKEN] [--timeout MS] [--json]

Makes a running host re-read its configuration and apply it without a restart (POST to
the reload route of createStatusHandler, which needs a token; the gateway re-reads its
file), then prints each changed setting, the streams the new settings closed and the
stanzas bounced — or every problem that made it refuse the new configuration, the old
one still serving (exit code 1). URL as for status: a bare http://host:port means the
gateway's /api/reload. --token sends Authorization: Bearer TOKEN.`,
  status: `xmpp-federation status [URL | --config FILE] [--token TOKEN] [--metrics] [--expiry-days N]
                              [--timeout MS] [--strict] [--json]

Reads the live status a running host serves (createStatusHandler of the diagnostics
package, or the gateway example) and shows each remote domain: state, direction,
authentication, TLS, peer certificate, queue, traffic and last error. --metrics prints
it in Prometheus text format instead.
URL is the status URL (http://host:port/any/path/status) or where the handler is mounted
(http://host:port/any/path); a bare http://host:port means the gateway's /api/status.
It defaults to the http section of --config, else http://127.0.0.1:8080. --url URL is
the same as URL. --token sends Authorization: Bearer TOKEN.`,
}

export const USAGE = `xmpp-federation: diagnostics for XMPP server-to-server federation, and
certificates to develop with

Usage:
  xmpp-federation check-config FILE       validate a configuration file and the files it names
  xmpp-federation diff FILE|URL...        compare node configurations across clusters
  xmpp-federation doctor DOMAIN           find out why federation with DOMAIN fails
  xmpp-federation migration-plan DOMAIN   steps to move DOMAIN from SIP to XMPP federation
  xmpp-federation status URL              live status of a running federation host
  xmpp-federation reload URL              apply a running host's changed configuration
  xmpp-federation certs DOMAIN...         a development CA and certificates (--out DIR)
  xmpp-federation help COMMAND            details of one command

Every command takes --json (a stable, documented shape) and --strict (warnings count as
problems). Exit code: 0 all is well, 1 problems found, 2 the command could not run.
`
