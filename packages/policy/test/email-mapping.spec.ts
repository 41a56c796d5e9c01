import fc from 'fast-check'
import { Element, parse } from 'ltx'
import { describe, expect, it } from 'vitest'
import { type AddressMapperOptions, createAddressMapper, type EmailDirectory } from '../src/email-mapping.js'
import { attributeValues } from '../src/stanza-attributes.js'

const MUC_USER = 'http://jabber.org/protocol/muc#user'

/** A directory backed by a table; counts calls; optionally async. */
function tableDirectory(emails: Record<string, string | undefined>, options: { async?: boolean } = {}) {
  const calls = { emailForJid: 0, jidForEmail: 0 }
  const byEmail = new Map<string, string>()
  for (const [jid, email] of Object.entries(emails))
    if (email !== undefined) byEmail.set(email.toLowerCase(), jid)
  const answer = <T>(value: T) => (options.async ? Promise.resolve(value) : value)
  const directory: EmailDirectory = {
    emailForJid: (jid) => {
      calls.emailForJid++
      return answer(emails[jid])
    },
    jidForEmail: (email) => {
      calls.jidForEmail++
      return answer(byEmail.get(email))
    },
  }
  return { directory, calls }
}

const mapper = (directory: EmailDirectory, options: Partial<AddressMapperOptions> = {}) =>
  createAddressMapper({ directory, unmapped: 'keep-jid', localDomains: ['corp.example'], ...options })

const users = {
  'alice@corp.example': 'alice.smith@corp.example',
  'bob@corp.example': 'bob.jones@mail.corp.example',
  'carol@corp.example': undefined,
}

describe('outbound', () => {
  it('rewrites our users in from and payload attributes, keeping resources', async () => {
    const { directory } = tableDirectory(users)
    const stanza = parse(
      `<presence from='alice@corp.example/desk' to='room@conference.partner.example/alice'>
         <x xmlns='${MUC_USER}'><item jid='Alice@Corp.Example/desk' affiliation='member'/>
           <invite from='alice@corp.example' to='dave@partner.example'/></x>
       </presence>`,
    )
    const result = await mapper(directory, { emailDomains: ['mail.corp.example'] }).outbound(stanza)
    expect(result.decision).toMatchObject({ allowed: true, code: 'ALLOWED' })
    const out = result.stanza!
    expect(out.attrs.from).toBe('alice.smith@corp.example/desk')
    expect(out.attrs.to).toBe('room@conference.partner.example/alice')
    const x = out.getChild('x', MUC_USER)!
    expect(x.getChild('item')?.attrs.jid).toBe('alice.smith@corp.example/desk')
    expect(x.getChild('invite')?.attrs).toMatchObject({
      from: 'alice.smith@corp.example',
      to: 'dave@partner.example',
    })
    expect(x.attrs.xmlns).toBe(MUC_USER)
    // The input is never modified.
    expect(stanza.attrs.from).toBe('alice@corp.example/desk')
    expect(result.stanza === stanza).toBe(false)
  })

  it('returns the same element when no address of ours is in it', async () => {
    const { directory, calls } = tableDirectory(users)
    const stanza = parse(
      `<message from='corp.example' to='dave@partner.example'><body>alice@corp.example</body></message>`,
    )
    const result = await mapper(directory).outbound(stanza)
    expect(result.stanza).toBe(stanza)
    expect(calls.emailForJid).toBe(0)
  })

  it('keep-jid: a user without an email keeps the JID, and says why', async () => {
    const { directory } = tableDirectory(users)
    const result = await mapper(directory).outbound(
      parse(`<message from='carol@corp.example/x' to='d@p.example'/>`),
    )
    expect(result.stanza?.attrs.from).toBe('carol@corp.example/x')
    expect(result.kept).toEqual([
      { address: 'carol@corp.example', reason: 'carol@corp.example has no email address' },
    ])
  })

  it('refuse: a user without an email is refused with NO_EMAIL_MAPPING', async () => {
    const { directory } = tableDirectory(users)
    const result = await mapper(directory, { unmapped: 'refuse' }).outbound(
      parse(`<message from='carol@corp.example/x' to='d@p.example'/>`),
    )
    expect(result.stanza).toBeUndefined()
    expect(result.decision).toMatchObject({
      allowed: false,
      code: 'NO_EMAIL_MAPPING',
      condition: 'policy-violation',
    })
    expect(result.decision.reason).toContain('carol@corp.example')
  })

  it('refuses the whole stanza when one embedded user cannot be mapped (no partial leaks)', async () => {
    const { directory } = tableDirectory(users)
    const stanza = parse(
      `<presence from='alice@corp.example/d'><x xmlns='${MUC_USER}'><item jid='carol@corp.example/y'/></x></presence>`,
    )
    const result = await mapper(directory, { unmapped: 'refuse' }).outbound(stanza)
    expect(result.decision.code).toBe('NO_EMAIL_MAPPING')
  })

  it('never uses an email in a domain we do not serve', async () => {
    const { directory } = tableDirectory({ 'erin@corp.example': 'erin@gmail.example' })
    const stanza = parse(`<message from='erin@corp.example/r'/>`)
    expect((await mapper(directory).outbound(stanza)).stanza?.attrs.from).toBe('erin@corp.example/r')
    const refused = await mapper(directory, { unmapped: 'refuse' }).outbound(stanza)
    expect(refused.decision).toMatchObject({ allowed: false, code: 'EMAIL_DOMAIN_NOT_SERVED' })
    expect(refused.decision.reason).toContain('gmail.example')
  })

  it('never uses an email that does not map back to the same user', async () => {
    const directory: EmailDirectory = {
      emailForJid: (jid) => (jid === 'frank@corp.example' ? 'shared@corp.example' : undefined),
      jidForEmail: (email) => (email === 'shared@corp.example' ? 'grace@corp.example' : undefined),
    }
    const result = await mapper(directory).outbound(parse(`<message from='frank@corp.example'/>`))
    expect(result.stanza?.attrs.from).toBe('frank@corp.example')
    expect(result.kept?.[0]?.reason).toContain('maps back to grace@corp.example')
  })

  it('never uses an email that is not a valid XMPP localpart', async () => {
    const { directory } = tableDirectory({ 'ob@corp.example': "o'brien@corp.example" })
    const result = await mapper(directory).outbound(parse(`<message from='ob@corp.example'/>`))
    expect(result.stanza?.attrs.from).toBe('ob@corp.example')
  })

  it('refuses to keep a JID that is another user’s email address (replies would go astray)', async () => {
    const { directory } = tableDirectory({
      'heidi@corp.example': 'ivan@corp.example',
      'ivan@corp.example': undefined,
    })
    const result = await mapper(directory).outbound(parse(`<message from='ivan@corp.example'/>`))
    expect(result.decision).toMatchObject({ allowed: false, code: 'NO_EMAIL_MAPPING' })
    expect(result.decision.reason).toContain('heidi@corp.example')
  })

  it('an email equal to the JID is an identity mapping', async () => {
    const { directory } = tableDirectory({ 'judy@corp.example': 'judy@corp.example' })
    const result = await mapper(directory, { unmapped: 'refuse' }).outbound(
      parse(`<message from='judy@corp.example/r'/>`),
    )
    expect(result.stanza?.attrs.from).toBe('judy@corp.example/r')
  })
})

describe('inbound', () => {
  it('rewrites email addresses of our users back, in to and payloads', async () => {
    const { directory } = tableDirectory(users)
    const stanza = parse(
      `<message from='dave@partner.example/x' to='Alice.Smith@corp.example/desk'>
         <x xmlns='${MUC_USER}'><invite to='bob.jones@mail.corp.example'/></x></message>`,
    )
    const result = await mapper(directory, { emailDomains: ['mail.corp.example'] }).inbound(stanza)
    expect(result.stanza?.attrs).toMatchObject({
      from: 'dave@partner.example/x',
      to: 'alice@corp.example/desk',
    })
    expect(result.stanza?.getChild('x')?.getChild('invite')?.attrs.to).toBe('bob@corp.example')
  })

  it('leaves addresses that are no user’s email (kept JIDs, unknown users) alone', async () => {
    const { directory } = tableDirectory(users)
    const stanza = parse(`<message to='carol@corp.example/x'/>`)
    expect((await mapper(directory).inbound(stanza)).stanza).toBe(stanza)
  })

  it('ignores a directory answer outside our local domains', async () => {
    const directory: EmailDirectory = {
      emailForJid: () => undefined,
      jidForEmail: () => 'evil@elsewhere.example',
    }
    const result = await mapper(directory).inbound(parse(`<message to='x@corp.example'/>`))
    expect(result.stanza?.attrs.to).toBe('x@corp.example')
  })
})

describe('directory calls', () => {
  it('caches answers (sync and async) for cacheTtlMs, on the injected clock', async () => {
    for (const async of [false, true]) {
      const { directory, calls } = tableDirectory(users, { async })
      let now = 0
      const addresses = mapper(directory, { cacheTtlMs: 1000, now: () => now })
      const stanza = parse(`<message from='alice@corp.example'/>`)
      await addresses.outbound(stanza)
      await addresses.outbound(stanza)
      expect(calls).toEqual({ emailForJid: 1, jidForEmail: 1 })
      now = 1000
      await addresses.outbound(stanza)
      expect(calls).toEqual({ emailForJid: 2, jidForEmail: 2 })
      addresses.clearCache()
      await addresses.outbound(stanza)
      expect(calls.emailForJid).toBe(3)
    }
  })

  it('concurrent lookups of one user share one directory call', async () => {
    const { directory, calls } = tableDirectory(users, { async: true })
    const addresses = mapper(directory)
    const stanza = parse(`<message from='alice@corp.example'/>`)
    await Promise.all([addresses.outbound(stanza), addresses.outbound(stanza), addresses.outbound(stanza)])
    expect(calls.emailForJid).toBe(1)
  })

  it('a failing directory refuses with DIRECTORY_ERROR and is asked again next time', async () => {
    let fail = true
    const directory: EmailDirectory = {
      emailForJid: async () => {
        if (fail) throw new Error('LDAP down')
        return 'alice.smith@corp.example'
      },
      jidForEmail: () => 'alice@corp.example',
    }
    const addresses = mapper(directory)
    const stanza = parse(`<message from='alice@corp.example'/>`)
    const failed = await addresses.outbound(stanza)
    expect(failed.decision).toMatchObject({
      allowed: false,
      code: 'DIRECTORY_ERROR',
      condition: 'internal-server-error',
    })
    expect(failed.decision.reason).toContain('LDAP down')
    fail = false
    expect((await addresses.outbound(stanza)).stanza?.attrs.from).toBe('alice.smith@corp.example')
  })

  it('rejects malformed domains at construction', () => {
    const { directory } = tableDirectory(users)
    expect(() => mapper(directory, { localDomains: ['bad domain'] })).toThrow(TypeError)
  })
})

// ---- properties -------------------------------------------------------------------------

const LOCAL = 'corp.example'
const EMAIL_DOMAIN = 'mail.example'
const names = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 6 })
/**
 * Per user: no email, the JID itself, a distinct address in a served domain, one in a
 * foreign domain, or one shared with other users (only one of them owns it in reverse).
 */
const emailKinds = {
  none: () => undefined,
  same: (name: string) => `${name}@${LOCAL}`,
  local: (name: string) => `mail-${name}@${LOCAL}`, // 'mail-' never starts a generated name
  'email-domain': (name: string) => `${name}@${EMAIL_DOMAIN}`,
  foreign: (name: string) => `${name}@gmail.example`,
  shared: () => `shared@${LOCAL}`, // longer than any generated name: never a user's JID
} satisfies Record<string, (name: string) => string | undefined>
const emailKind = fc.constantFrom(...(Object.keys(emailKinds) as (keyof typeof emailKinds)[]))

const population = names.chain((list) =>
  fc.array(emailKind, { minLength: list.length, maxLength: list.length }).map((kinds) => {
    const emails: Record<string, string | undefined> = {}
    list.forEach((name, i) => {
      emails[`${name}@${LOCAL}`] = emailKinds[kinds[i]!](name)
    })
    return emails
  }),
)

/** Stanzas whose attributes mix our users' addresses, remote ones and noise, at several depths. */
function stanzaArb(jids: string[]) {
  const address = fc.oneof(
    fc.constantFrom(...jids),
    fc
      .tuple(fc.constantFrom(...jids), fc.constantFrom('desk', 'phone', 'a@b/c'))
      .map(([j, r]) => `${j}/${r}`),
    fc.constantFrom('dave@partner.example', 'room@conference.partner.example/nick', LOCAL, 'partner.example'),
    fc.constantFrom('42', 'member', 'hello world'),
  )
  const attrs = fc.dictionary(fc.constantFrom('from', 'to', 'jid', 'publisher', 'by'), address, {
    maxKeys: 3,
  })
  const leaf = fc
    .tuple(fc.constantFrom('item', 'invite', 'delay', 'address'), attrs)
    .map(([name, a]) => new Element(name, a))
  const child = fc
    .tuple(fc.constantFrom('x', 'forwarded', 'event'), attrs, fc.array(leaf, { maxLength: 3 }))
    .map(([name, a, leaves]) => {
      const element = new Element(name, { xmlns: `urn:example:${name}`, ...a })
      for (const l of leaves) element.cnode(l)
      return element
    })
  return fc.tuple(fc.constantFrom(...jids), fc.array(child, { maxLength: 3 })).map(([from, children]) => {
    const stanza = new Element('message', { from: `${from}/r`, to: 'dave@partner.example', type: 'chat' })
    for (const c of children) stanza.cnode(c)
    stanza.c('body').t(`${from} says hi`)
    return stanza
  })
}

/**
 * The oracle, computed independently of the mapper: a JID has a mapping when its email is
 * in a served domain and belongs to it alone in reverse; unless that email is the JID
 * itself, the JID must never appear after outbound.
 */
function internalJidsWithMapping(emails: Record<string, string | undefined>): Set<string> {
  const served = new Set([LOCAL, EMAIL_DOMAIN])
  const owner = new Map<string, string>()
  for (const [jid, email] of Object.entries(emails)) if (email !== undefined) owner.set(email, jid)
  return new Set(
    Object.entries(emails)
      .filter(([jid, email]) => email !== undefined && email !== jid && served.has(email.split('@')[1]!))
      .filter(([jid, email]) => owner.get(email!) === jid)
      .map(([jid]) => jid),
  )
}

const withStanza = population.chain((emails) => fc.tuple(fc.constant(emails), stanzaArb(Object.keys(emails))))

describe('email mapping properties', () => {
  it('no internal JID leaks: after outbound no attribute holds a mapped internal JID', async () => {
    await fc.assert(
      fc.asyncProperty(
        withStanza,
        fc.constantFrom('keep-jid', 'refuse') as fc.Arbitrary<'keep-jid' | 'refuse'>,
        async ([emails, stanza], unmapped) => {
          const { directory } = tableDirectory(emails)
          const result = await mapper(directory, { unmapped, emailDomains: [EMAIL_DOMAIN] }).outbound(stanza)
          if (!result.decision.allowed) {
            expect(unmapped).toBe('refuse')
            return
          }
          const hidden = internalJidsWithMapping(emails)
          for (const value of attributeValues(result.stanza!)) {
            const bare = value.split('/')[0]!.toLowerCase()
            expect(hidden.has(bare), `${value} leaks`).toBe(false)
          }
        },
      ),
    )
  })

  it('round trip: inbound(outbound(stanza)) gives back the original addresses', async () => {
    await fc.assert(
      fc.asyncProperty(withStanza, fc.boolean(), async ([emails, stanza], async) => {
        const { directory } = tableDirectory(emails, { async })
        const addresses = mapper(directory, { emailDomains: [EMAIL_DOMAIN] })
        const out = await addresses.outbound(stanza)
        expect(out.decision.allowed).toBe(true)
        const back = await addresses.inbound(out.stanza!)
        expect(back.stanza?.toString()).toBe(stanza.toString())
      }),
    )
  })
})
