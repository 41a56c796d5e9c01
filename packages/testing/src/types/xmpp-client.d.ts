// The slice of @xmpp/client 0.14 that xmpp-user.ts uses. The package ships no
// types, and DefinitelyTyped has none for 0.14; keep this shim minimal.
declare module '@xmpp/client' {
  import type { Element } from 'ltx'

  type Attrs = Record<string, string | number | undefined>

  interface ClientOptions {
    /** xmpp://host:port (STARTTLS) or xmpps://host:port (direct TLS). */
    service: string
    domain?: string
    username?: string
    password?: string
    resource?: string
    /** Per-step timeout of stream opens and request/response pairs, ms (default 2000). */
    timeout?: number
  }

  /** The raw transport: net.Socket before STARTTLS, a wrapper holding the TLSSocket in .socket after. */
  interface ClientSocket {
    socket?: ClientSocket | null
    destroy?(): void
    setNoDelay?(noDelay?: boolean): void
  }

  interface Client {
    status: string
    socket: ClientSocket | null
    reconnect: { stop(): void }
    iqCaller: {
      request(stanza: Element, timeout?: number): Promise<Element>
      get(child: Element, to?: string, timeout?: number): Promise<Element>
      set(child: Element, to?: string, timeout?: number): Promise<Element>
    }
    start(): Promise<{ toString(): string }>
    stop(): Promise<unknown>
    send(stanza: Element): Promise<void>
    on(event: 'stanza', listener: (stanza: Element) => void): this
    on(event: 'error', listener: (error: Error & { condition?: string }) => void): this
    on(event: 'status', listener: (status: string) => void): this
    on(event: 'offline' | 'online', listener: () => void): this
  }

  export function client(options: ClientOptions): Client
  export function xml(name: string, attrs?: Attrs | null, ...children: Array<Element | string>): Element
}
