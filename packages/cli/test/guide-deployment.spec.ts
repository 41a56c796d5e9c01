import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { guideCommandBlocks, runGuideCommands } from '@xmpp-federation/testing'
import { afterAll, describe, expect, it } from 'vitest'

const GUIDE = new URL('../../../docs/deployment.md', import.meta.url)

// docs/deployment.md: the commands that need no network and no root run as written.
describe('docs/deployment.md', () => {
  let dir: string
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('the configuration it shows passes check-config --strict', async () => {
    dir = await mkdtemp(join(tmpdir(), 'xf-guide-deploy-'))
    const runs = await runGuideCommands(GUIDE, dir)
    expect(runs).toHaveLength(1)
    const [run] = runs
    expect(run!.code, run!.stderr).toBe(0)
    expect(run!.stdout).toContain('made a development CA and 1 certificate')
    expect(run!.stdout).toContain('no problem found')
  }, 60_000)

  it('every other command is marked not run, with the reason', () => {
    const skipped = guideCommandBlocks(GUIDE).filter((block) => !block.run)
    expect(skipped.map((block) => block.reason)).toEqual([
      'queries public DNS',
      "changes the host's firewall (root)",
      "changes the host's firewall (root)",
      'creates a system user and writes /opt (root)',
      'needs systemd and root',
      'needs docker',
    ])
  })
})
