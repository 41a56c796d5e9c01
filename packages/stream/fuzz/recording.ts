import type { Duplex } from 'node:stream'
import type { StreamContext } from '../src/context.js'
import { InboundSession } from '../src/inbound.js'
import { OutboundSession } from '../src/outbound.js'
import type { RecordedStream, Transcript } from './corpus.js'

/** Collects what a peer sent, split into XML streams at each restart. */
export class Recorder {
  private readonly streams: { secure: boolean; chunks: Buffer[] }[] = []
  private socket: Duplex | undefined
  private readonly onData = (chunk: Buffer) => this.streams.at(-1)!.chunks.push(Buffer.from(chunk))

  /** A new XML stream; on a new socket (TLS) when one is given. */
  restart(socket: Duplex | undefined, secure: boolean): void {
    if (socket && socket !== this.socket) {
      this.socket?.off('data', this.onData)
      this.socket = socket
      // Before the session's own listener: a chunk that triggers a restart belongs to the old stream.
      socket.prependListener('data', this.onData)
    }
    this.streams.push({ secure, chunks: [] })
  }

  transcript(name: string, description: string): Transcript {
    const streams: RecordedStream[] = this.streams
      .filter((s) => s.chunks.length > 0)
      .map((s) => {
        const cuts: number[] = []
        let offset = 0
        for (const chunk of s.chunks) {
          offset += chunk.length
          cuts.push(offset)
        }
        return { secure: s.secure, text: Buffer.concat(s.chunks).toString('utf8'), cuts: cuts.slice(0, -1) }
      })
    return { name, description, streams }
  }
}

/** An inbound session that records every byte its peer sends, decrypted after TLS. */
export class RecordingInbound extends InboundSession {
  recorder: Recorder | undefined

  constructor(socket: Duplex, context: StreamContext, directTls = false) {
    super(socket, context, directTls)
    // With direct TLS the TLS socket is already in place (restart ran inside super()).
    this.recorder = new Recorder()
    this.recorder.restart(this.currentSocket, directTls)
  }

  protected override restart(socket?: Duplex): void {
    super.restart(socket)
    this.recorder?.restart(socket, this.tls !== undefined || socket !== undefined)
  }
}

/** An outbound session that records every byte the receiving server sends. */
export class RecordingOutbound extends OutboundSession {
  recorder: Recorder | undefined

  constructor(socket: Duplex, context: StreamContext, local: string, remote: string) {
    super(socket, context, local, remote)
    this.recorder = new Recorder()
    this.recorder.restart(socket, false)
  }

  protected override restart(socket?: Duplex): void {
    super.restart(socket)
    this.recorder?.restart(socket, this.tls !== undefined || socket !== undefined)
  }
}
