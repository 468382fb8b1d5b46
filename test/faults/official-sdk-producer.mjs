// A producer on the official Node SDK, run as its own process by the fault suite (the SDK reports a lost
// connection as an 'error' event no caller can listen to, which would end a test runner's process).
// Usage: node official-sdk-producer.mjs <sdk dir> <port> <stream> <topic> <partition> <prefix>
// Prints `ACK id,id,...` for every acknowledged batch of 10; exits when a send fails.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [sdkDir, port, stream, topic, partition, prefix] = process.argv.slice(2);
const sdk = await import(pathToFileURL(join(sdkDir, 'dist', 'index.js')).href);
const client = new sdk.Client({
  transport: 'TCP',
  options: { host: '127.0.0.1', port: Number(port) },
  credentials: { username: 'iggy', password: 'iggy' },
  reconnect: { enabled: false, interval: 1000, maxRetries: 0 },
});
try {
  for (let seq = 0; ; seq += 10) {
    const payloads = Array.from({ length: 10 }, (_, i) => `${prefix}-${seq + i}`);
    await client.message.send({
      streamId: stream,
      topicId: topic,
      messages: payloads.map((payload) => ({ payload })),
      partition: sdk.Partitioning.PartitionId(Number(partition)),
    });
    process.stdout.write(`ACK ${payloads.join(',')}\n`);
  }
} catch (error) {
  process.stdout.write(`FAILED ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(0);
}
