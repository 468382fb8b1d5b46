import { IggyClient } from '../../lib/client/index.js';

/** Logs in as `iggy` with `password` on the broker at 127.0.0.1:`port`: 'ok', or the error it failed with. */
export async function rootLogin(port: number, password: string): Promise<'ok' | unknown> {
  const client = new IggyClient({
    addresses: [`127.0.0.1:${port}`],
    credentials: { username: 'iggy', password },
    reconnect: false,
  });
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    return error;
  } finally {
    await client.close();
  }
}
