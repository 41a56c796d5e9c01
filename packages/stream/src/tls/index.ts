export * from './identity.js'
export * from './verify-chain.js'
