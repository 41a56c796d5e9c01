import { fileURLToPath } from 'node:url'
import { loadConfigFile } from '@xmpp-federation/config'
import { expect, it } from 'vitest'

it('config.example.json is a valid gateway configuration', async () => {
  const file = fileURLToPath(new URL('../config.example.json', import.meta.url))
  // The certificate paths are placeholders for a real deployment.
  const config = await loadConfigFile(file, { checkFiles: false })
  expect(config.domains).toEqual(['chat.example.com'])
  expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 })
})
