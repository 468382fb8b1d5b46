import { statsJson } from '../../../protocol/http/system-json.js';
import * as users from '../../../protocol/http/users-json.js';
import { sendNotFound } from './rest-errors.js';
import { u32 } from './rest-params.js';
import { json, route, type Route } from './rest-route.js';

/** `/stats` and `/clients`. */
export const SYSTEM_ROUTES: Route[] = [
  route('GET', '/stats', async (s, _r, res) => json(res, statsJson(await s.getStats()))),
  route('GET', '/clients', async (s, _r, res) => json(res, (await s.getClients()).map(users.clientJson))),
  route('GET', '/clients/{id}', async (s, r, res) => {
    const client = await s.getClient({ clientId: u32(r.params[0]!, 'client id') });
    return client ? json(res, users.clientDetailsJson(client)) : sendNotFound(res);
  }),
];
