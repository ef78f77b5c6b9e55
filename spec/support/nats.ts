/** Reading what reached a JetStream stream, for the tests: every message, in stream order. */
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { natsServerBinary } from './nats-server.js';

export const NATS_SERVER = natsServerBinary();
if (!NATS_SERVER) console.log('NATS tests skipped: no nats-server binary (apt-get install nats-server, or set NATS_SERVER)');

export interface StoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly json: Record<string, unknown>;
}

/** Every message now in `stream` (read by sequence, without a consumer). */
export async function storedMessages(url: string, stream: string): Promise<StoredMessage[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    const out: StoredMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (m) out.push({ subject: m.subject, seq: m.seq, json: m.json<Record<string, unknown>>() });
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** Publishes raw lines into the stream (as crawlers would have), acknowledged. */
export async function publishLines(url: string, lines: ReadonlyArray<{ subject: string; data: Record<string, unknown> }>): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const js = jetstream(nc);
    for (const l of lines) await js.publish(l.subject, JSON.stringify(l.data));
  } finally {
    await nc.close();
  }
}
