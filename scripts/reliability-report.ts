/**
 * Runs the reliability suites (fuzzing, attacks, fault injection, and the older tests they
 * lean on) with vitest's JSON reporter and writes docs/reliability.md from the result.
 *
 *   pnpm reliability-report            # run the suites, then write the doc
 *   pnpm reliability-report --from x   # write the doc from an earlier JSON report
 *
 * Tests report their counts through task.meta.reliability (packages/stream/fuzz/report.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { cell, runVitestJson } from './lib/vitest-report.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({ options: { from: { type: 'string' } } })

/** The suites of this report: new ones whole, older ones for the cases they already prove. */
const FILES = [
  'packages/stream/test/fuzz/',
  'packages/stream/test/attacks/',
  'packages/router/test/attacks/',
  'packages/router/test/faults/',
  'packages/dialback/test/attacks/',
  'packages/stream/test/stream-management.spec.ts',
  'packages/policy/test/limits.spec.ts',
  'packages/stream/test/stream-hardening.spec.ts',
  'packages/stream/test/xml-limits.spec.ts',
  'packages/stream/test/xml-parser.spec.ts',
  'packages/stream/test/stream-external.spec.ts',
  'packages/stream/test/tls-verify-chain.spec.ts',
  'packages/stream/test/prosody.interop.spec.ts',
  'packages/router/test/federation.spec.ts',
  'packages/router/test/resend.spec.ts',
  'packages/policy/test/rate-limit.spec.ts',
]

interface Meta {
  reliability?: { outcome?: string; counts?: Record<string, number | string> }
}
interface Assertion {
  ancestorTitles: string[]
  title: string
  status: string
  duration?: number
  failureMessages: string[]
  meta?: Meta
}
interface FileResult {
  name: string
  assertionResults: Assertion[]
}
interface Row extends Assertion {
  file: string
}

function runSuites(): string {
  const out = path.join(root, '.tmp/reliability/vitest.json')
  return runVitestJson(root, out, FILES, 'dot')
}

const report = JSON.parse(readFileSync(values.from ?? runSuites(), 'utf8')) as { testResults: FileResult[] }
const rows: Row[] = report.testResults
  .flatMap((f) => f.assertionResults.map((a) => ({ ...a, file: path.relative(root, f.name) })))
  .sort((a, b) => a.file.localeCompare(b.file))
const status = (r: Row) => (r.status === 'passed' ? 'pass' : r.status === 'failed' ? '**FAIL**' : r.status)
const name = (r: Row) => [...r.ancestorTitles, r.title].join(' › ')
const counts = (r: Row) => r.meta?.reliability?.counts ?? {}
const outcome = (r: Row) =>
  r.status === 'failed' ? cell(r.failureMessages[0]?.split('\n')[0]) : cell(r.meta?.reliability?.outcome)
const link = (r: Row) => `[${path.basename(r.file)}](../${r.file})`

function table(headers: string[], body: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...body.map((b) => `| ${b.join(' | ')} |`),
  ].join('\n')
}

// --- fuzzing --------------------------------------------------------------------------------
const fuzzRows = rows.filter((r) => r.file.includes('/test/fuzz/') && counts(r).inputs !== undefined)
const fuzzTable = table(
  ['target', 'seed', 'inputs run', 'crashes', 'hangs', 'peak RSS (MiB)', 'how inputs ended', 'result'],
  fuzzRows.map((r) => {
    const { seed, inputs, crashes, hangs, peakRssMiB, slowestWriteMs, stanzasDelivered, ...exits } = counts(r)
    const target = r.title.split(':')[0]
    const ended = Object.entries(exits)
      .sort((a, b) => Number(b[1]) - Number(a[1]))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
    return [
      cell(target),
      cell(seed),
      cell(inputs),
      cell(crashes),
      cell(hangs),
      cell(peakRssMiB),
      cell(ended),
      status(r),
    ]
  }),
)
const longRunFile = path.join(root, 'packages/stream/fuzz/long-run.json')
const longRun = existsSync(longRunFile)
  ? (JSON.parse(readFileSync(longRunFile, 'utf8')) as {
      date: string
      minutes: number
      baseSeed: number
      inputs: number
      crashes: number
      hangs: number
      peakRssMiB: number
      targets: Record<string, { inputs: number; crashes: number; hangs: number }>
    })
  : undefined
const longRunText = longRun
  ? `Last long run (\`pnpm fuzz --minutes ${longRun.minutes} --seed ${longRun.baseSeed} --record\`, ${longRun.date}): ` +
    `**${longRun.inputs} inputs, ${longRun.crashes} crashes, ${longRun.hangs} hangs, peak memory ${longRun.peakRssMiB} MiB RSS** ` +
    `(${Object.entries(longRun.targets)
      .map(([t, v]) => `${t} ${v.inputs}`)
      .join(', ')}).`
  : 'No long run recorded yet (`pnpm fuzz --minutes N --record` writes packages/stream/fuzz/long-run.json).'

// --- fault injection ------------------------------------------------------------------------
const faultRows = rows.filter((r) => r.file.includes('/test/faults/') && counts(r).sent !== undefined)
const faultColumns = [
  'sent',
  'delivered',
  'bounced',
  'writtenUnconfirmed',
  'unaccounted',
  'duplicates',
  'resent',
  'bouncedButDelivered',
  'bounceMismatches',
] as const
const faultTable = table(
  [
    'scenario',
    ...faultColumns.map((c) => c.replace(/([A-Z])/g, ' $1').toLowerCase()),
    'bounce conditions',
    'result',
  ],
  faultRows.map((r) => [
    `${cell(name(r))} (${link(r)})`,
    ...faultColumns.map((c) => cell(counts(r)[c])),
    cell(counts(r).conditions),
    status(r),
  ]),
)

// --- attack families ------------------------------------------------------------------------
type Match = [file: RegExp, title?: RegExp]
const FAMILIES: [string, Match[]][] = [
  [
    'DOCTYPE and entity bombs',
    [
      [/attacks\/xml-bombs/, /DOCTYPE|laughs|undeclared|attribute/],
      [/xml-parser\.spec/, /DOCTYPE|entity bomb/],
      [/stream-hardening/, /DOCTYPE|undeclared entity/],
    ],
  ],
  [
    'External entities',
    [
      [/attacks\/xml-bombs/, /external|parameter/],
      [/xml-parser\.spec/, /external entity/],
    ],
  ],
  [
    '1 MB unterminated token (event-loop delay < 50 ms)',
    [[/attacks\/unterminated-token/], [/xml-limits/, /unterminated|linear/]],
  ],
  ['10k-deep nesting', [[/attacks\/deep-nesting/], [/xml-limits/, /10k|nesting/]]],
  [
    'Thousands of namespace declarations in scope (cost vs a plain stanza)',
    [[/attacks\/namespace-scope/], [/xml-parser\.spec/, /namespace scope/]],
  ],
  [
    'Control characters',
    [
      [/attacks\/malformed-xml/, /NUL|BEL|ESC|form feed|U\+0001|surrogate|U\+FFFE/],
      [/xml-parser\.spec/, /control characters/],
      [/stream-hardening/, /control characters/],
    ],
  ],
  [
    'Invalid and split UTF-8',
    [[/attacks\/utf8/], [/xml-parser\.spec/, /UTF-8|byte offset|one byte at a time/]],
  ],
  [
    'Oversize stanza',
    [[/attacks\/oversize-stanza/], [/xml-limits/, /budget|limit/], [/stream-hardening/, /size limit/]],
  ],
  [
    'Unquoted attributes',
    [
      [/attacks\/malformed-xml/, /unquoted|without a value/],
      [/xml-parser\.spec/, /unquoted/],
    ],
  ],
  [
    'Stray end tags',
    [
      [/attacks\/malformed-xml/, /end tag/],
      [/xml-parser\.spec/, /end tag/],
    ],
  ],
  [
    'Stanzas before authentication',
    [[/attacks\/pre-auth-stanzas/], [/stream-hardening/, /before authentication|STARTTLS/]],
  ],
  [
    "'from' in an unauthenticated domain",
    [
      [/attacks\/spoofed-from/, /never authenticated|subdomain|own domain|without a from|a@b@c|not serve/],
      [/federation\.spec/, /invalid-from/],
    ],
  ],
  [
    'Piggybacking: a domain pair never authorized',
    [[/attacks\/spoofed-from/, /piggyback|second domain/], [/attacks\/denied-domain/]],
  ],
  [
    'A certificate for another domain',
    [
      [/attacks\/certificates/, /another domain|self-signed/],
      [/stream-external/, /another domain|untrusted CA/],
      [/prosody\.interop/, /another name/],
    ],
  ],
  [
    'An expired certificate',
    [
      [/attacks\/certificates/, /expired|not yet valid/],
      [/tls-verify-chain/, /expired|not valid yet/],
    ],
  ],
  [
    'STARTTLS stripped under `required` (capture: no stanza byte in clear)',
    [
      [/attacks\/starttls-strip/],
      [/stream-hardening/, /stripped STARTTLS/],
      [/prosody\.interop/, /omits STARTTLS/],
    ],
  ],
  ['`see-other-host` redirects', [[/attacks\/see-other-host/], [/stream-hardening/, /see-other-host/]]],
  [
    'Slowloris (negotiation deadline), stalled TLS',
    [[/attacks\/slowloris/], [/stream-hardening/, /negotiation takes too long/]],
  ],
  ['Connection floods (maxPendingConnections)', [[/attacks\/connection-flood/]]],
  ['Stanza floods (policy token bucket, checkRate)', [[/attacks\/stanza-flood/], [/rate-limit\.spec/]]],
  ['Queue overflow (resource-constraint)', [[/attacks\/queue-overflow/], [/federation\.spec/, /queue/]]],
  // Resource exhaustion (issue 12): each bound, with the resource it protects measured.
  [
    'XEP-0198: refusals never acknowledged (heap, bounded excerpt, unacked limit)',
    [
      [/attacks\/unacked-answers/],
      [/stream-management\.spec/, /resource-constraint|ack request|unsignedInt|h=/],
    ],
  ],
  [
    'XEP-0198: our stanzas never acknowledged; resend within queue limits and first TTL, randomised redial',
    [[/attacks\/unacked-outbound/]],
  ],
  [
    'Peers that never read: write backpressure, <r/> and db:verify floods, SM before auth',
    [[/attacks\/unread-output/], [/attacks\/unacked-outbound/, /stops reading/]],
  ],
  ['Dialback verification fan-out (per stream, per address, global)', [[/attacks\/verification-flood/]]],
  ['Non-canonical addresses (RFC 7622) and the domain service', [[/attacks\/address-forms/]]],
  ['One wildcard certificate, many domains', [[/attacks\/wildcard-certificate/]]],
  ['Links to one-shot peers freed', [[/attacks\/one-shot-links/]]],
  ['Per-domain stanza limit', [[/attacks\/domain-stanza-limit/]]],
  ['TLS 1.3 session tickets carrying the client chain', [[/tls-session-tickets/]]],
  ['TLS 1.2 renegotiation', [[/tls-renegotiation/]]],
  ['Connection storms from one address', [[/attacks\/connection-storm/]]],
  ['Rate buckets across cycling domains', [[/limits\.spec/, /bounded|cycling|refilled|draining/]]],
]
const attackTable = table(
  ['attack', 'tests', 'passed', 'outcome (first test with one)'],
  FAMILIES.map(([family, matches]) => {
    const hits = rows.filter((r) =>
      matches.some(([file, title]) => file.test(r.file) && (!title || title.test(name(r)))),
    )
    const files = [...new Set(hits.map(link))].join(', ')
    const passed = hits.filter((r) => r.status === 'passed').length
    const example = hits.find((r) => r.meta?.reliability?.outcome)
    return [
      family,
      hits.length ? `${hits.length} in ${files}` : '**none**',
      `${passed}/${hits.length}`,
      example ? outcome(example) : '',
    ]
  }),
)

// --- every test -----------------------------------------------------------------------------
const allTable = table(
  ['file', 'test', 'result', 'ms', 'outcome', 'counts'],
  rows.map((r) => [
    link(r),
    cell(name(r)),
    status(r),
    String(Math.round(r.duration ?? 0)),
    outcome(r),
    cell(
      Object.entries(counts(r))
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ),
  ]),
)

const passed = rows.filter((r) => r.status === 'passed').length
const failed = rows.filter((r) => r.status === 'failed').length
const doc = `# Reliability and security: what the tests prove

Generated by \`pnpm reliability-report\` (scripts/reliability-report.ts) on ${new Date().toISOString().slice(0, 10)},
Node ${process.version}: **${rows.length} tests, ${passed} passed, ${failed} failed**. Do not edit by hand.

The promise: whatever a peer sends, the endpoint keeps running; nobody speaks for a domain it
has not proven; no stanza disappears without a trace. The suites below are part of \`pnpm test\`;
the long fuzz run is \`pnpm fuzz --minutes N\`.

## Fuzzing

Property-based (fast-check) over a corpus of real s2s transcripts
(packages/stream/fuzz/corpus/: our stream tests' traffic and Prosody 0.12 in both roles, recorded
by \`fuzz/record.ts\` at our end of the socket, decrypted), mutated by byte flips, byte sets,
dictionary inserts (DOCTYPE, entities, stream control, spoofed addresses, broken UTF-8), deletions,
splices between transcripts, truncation, repetition (up to 1 MiB), and random TCP chunk splits.
Targets: the parser alone (invariants: never throws; one RFC 6120 error at most, last; chunking
changes nothing but where a failure is noticed; every accepted element serializes and reads
back the same; no write over 1 s), and a whole inbound session over TCP on 127.0.0.80 in three
modes (\`clear\`: no TLS, dialback-shaped auth reaches stanzas; \`starttls\`: TLS required, input in
clear; \`tls\`: after a real STARTTLS with a valid certificate). Session invariants: no uncaught
exception; no stanza emitted unless the session is established and its from/to are a pair
authenticated on it; every error we decide is a \`<stream:error/>\` with an RFC 6120 condition on
the wire, last before our closing tag; everything we write is restricted XML our own parser
accepts; \`closed\` fires once; the socket always ends (a peer that stops talking is cut at the
negotiation deadline; 1 s past it counts as a hang). Seeds are fixed (\`FUZZ_SEED\` overrides);
every finding is replayed by test/fuzz/regressions.spec.ts from fuzz/regressions/.

${fuzzTable}

${longRunText}

## Fault injection

Each stanza is followed from \`federation.send()\` to the receiving host
(packages/router/test/faults/ledger.ts): **delivered** (the peer's host got it), **bounced** (a
rejected \`send()\`, a \`bounce\` event after a resend failed, or an error stanza back from the peer),
**written unconfirmed** (\`send()\` resolved, nobody bounced it, the peer never got it: lost in
flight, and nobody knows), **unaccounted** (a \`send()\` that never settled: always 0). With
XEP-0198 (stream management, now on every stream that offers it) the router resends what a dead
stream left unacknowledged: written-unconfirmed drops to 0, at the price of **duplicates** (the
peer had it, the ack died with the link) and **bounced but delivered** (a resend that failed
bounces a stanza the peer in fact got). Peers without XEP-0198 (Prosody without mod_smacks)
show the gap that stream management closes.

${faultTable}

## Attack suite

One file per family (packages/stream/test/attacks/, packages/router/test/attacks/), each
asserting the exact outcome; older tests that already proved a case are listed with them.

${attackTable}

## What these suites found

Bugs, each fixed in packages/stream with its regression test:

1. **Stanzas pipelined behind a stream error were still processed.** A session that had
   decided to close (a spoofed \`from\`, a bad address, a policy refusal) went on emitting the
   stanzas that arrived behind the offending one. Found by the session fuzzer
   (fuzz/regressions/stanzas-after-stream-error.json); at the router level a domain the
   policy denies, authenticated by dialback (no stream restart), had all 20 stanzas it pushed
   behind the refusal delivered to the host (router/test/attacks/denied-domain.spec.ts). Fix:
   \`S2SSession.onElement\` drops every element once the stream is closing with an error
   (RFC 6120 §4.9.1.1); a graceful close still reads what the peer finishes sending.
2. **An error text the peer could poison.** An element name holding U+FFFE failed with
   not-well-formed, but the text quoting it could not be serialized: \`close()\` threw halfway,
   so no \`<stream:error/>\`, no closing tag and no close timer; the connection stayed open until
   the peer left (and would have kept a pending-connection slot). Found by the session fuzzer
   (fuzz/regressions/unserializable-error-text.json). Fix: \`streamErrorElement\` turns
   characters XML cannot carry into U+FFFD, and \`close()\` arms its timer before writing.
3. **Direct TLS (XEP-0368) had no handshake deadline.** A server that took our ClientHello and
   went silent held \`connectStream\` forever: the router's link stayed \`connecting\` and every
   later stanza to that domain waited for its queue TTL. Found by the stalled-TLS fault test
   (router/test/faults/stall-tls.spec.ts, stream/test/attacks/slowloris.spec.ts). Fix: the
   handshake is bounded by \`negotiationMs\` (NegotiationError \`TIMEOUT\`).
4. **Stanzas pipelined behind a refused \`<starttls/>\` were still processed.** On a listener
   without TLS we answer \`<failure/>\` and close (RFC 6120 §5.4.2.2), but the close was graceful,
   so what the peer had sent behind \`<starttls/>\` still reached the host. Found by a long run
   (\`pnpm fuzz --minutes 20 --seed 7000\`: 483 961 inputs, this 1 crash, 0 hangs;
   fuzz/regressions/stanzas-after-starttls-failure.json). Fix: the refusal ends the stream as a
   failure (NegotiationError \`TLS_FAILED\`), so nothing after it is processed.
5. **No limit on unauthenticated connections.** New: \`listen({ maxPendingConnections })\`,
   default 100 per listener; one more gets \`<resource-constraint/>\` and is closed.

Behaviour worth knowing (measured here, not changed):

- Invalid UTF-8 is detected per 64 KiB slice before the slice is scanned: stanzas sharing a
  slice with it are not delivered, and garbage in the same read as a clean
  \`</stream:stream>\` turns that end into not-well-formed. The stream fails either way.
- What we forward can be larger than what we accepted: the serializer escapes \`>\` in text
  and quotes in attribute values, up to 6x growth (fuzz/regressions/serialization-growth.json:
  148 KB in, 591 KB out). A stanza accepted near our limit may exceed the next hop's, and the
  outbound side does not yet check the peer's advertised XEP-0478 limit before writing.
- When TLS is abandoned mid-handshake we close without a word (the channel cannot be trusted);
  with unread input the close is a TCP reset, which can drop our last bytes unread.
- XEP-0198 trades loss for duplicates: acks are asked every 20 stanzas or 200 ms, one request
  at a time, so a burst leaves hundreds of stanzas unacknowledged and a dropped link resends
  them although the peer had most (see drop-tcp). A resend that then fails bounces a stanza the
  peer in fact got ("bounced but delivered"). Asking for acks sooner, or suppressing duplicates
  by id on the receiving side, would narrow both.
- A stanza over the rate limit is bounced with an error stanza back to its sender: a flood of N
  stanzas can cause up to N error replies.
- A STARTTLS peer that stalls mid-handshake is cut at the negotiation deadline, then gets the
  closing handshake's \`closeMs\` (2 s by default) before the router bounces what waited for it.
- Not covered here: forged dialback keys (XEP-0220) belong to packages/dialback's own suite.

## Every test

${allTable}
`
const target = path.join(root, 'docs/reliability.md')
writeFileSync(target, doc)
console.log(`wrote ${path.relative(root, target)}: ${rows.length} tests, ${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
