import * as users from '../../../protocol/http/users-json.js';
import { sendNotFound } from './rest-errors.js';
import { id, segment } from './rest-params.js';
import { json, noContent, route, type Route } from './rest-route.js';

/** Users, their permissions and passwords, and personal access tokens (login and logout live in the API). */
export const USER_ROUTES: Route[] = [
  route('GET', '/users', async (s, _r, res) => json(res, (await s.getUsers()).map(users.userJson))),
  route('POST', '/users', async (s, r, res) =>
    json(res, users.userDetailsJson(await s.createUser(users.readCreateUserBody(r.body)))),
  ),
  route('GET', '/users/{u}', async (s, r, res) => {
    const user = await s.getUser({ userId: id(r.params[0]) });
    return user ? json(res, users.userDetailsJson(user)) : sendNotFound(res);
  }),
  route('PUT', '/users/{u}', async (s, r, res) => {
    await s.updateUser({ userId: id(r.params[0]), ...users.readUpdateUserBody(r.body) });
    noContent(res);
  }),
  route('DELETE', '/users/{u}', async (s, r, res) => {
    await s.deleteUser({ userId: id(r.params[0]) });
    noContent(res);
  }),
  route('PUT', '/users/{u}/permissions', async (s, r, res) => {
    await s.updatePermissions({
      userId: id(r.params[0]),
      permissions: users.readPermissionsBody(r.body) ?? undefined,
    });
    noContent(res);
  }),
  route('PUT', '/users/{u}/password', async (s, r, res) => {
    await s.changePassword({ userId: id(r.params[0]), ...users.readChangePasswordBody(r.body) });
    noContent(res);
  }),

  route('GET', '/personal-access-tokens', async (s, _r, res) =>
    json(res, (await s.getAccessTokens()).map(users.accessTokenJson)),
  ),
  route('POST', '/personal-access-tokens', async (s, r, res) => {
    json(res, await s.createAccessToken(users.readCreateAccessTokenBody(r.body)));
  }),
  route('DELETE', '/personal-access-tokens/{name}', async (s, r, res) => {
    await s.deleteAccessToken({ name: segment(r.params[0]) });
    noContent(res);
  }),
];
