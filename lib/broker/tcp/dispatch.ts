import { commandName } from '../../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../protocol/codes/error-codes.js';
import type { RequestFrame } from '../../protocol/framing.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import type { BrokerLogger } from '../broker-config.js';
import { BrokerError } from '../broker-error.js';
import { ioFailure } from '../io-failure.js';
import { StorageError } from '../storage/storage-error.js';
import type { AnyCommandHandler, HandlerContext } from './command-handlers.js';

/** The answer to one request: status 0 with payload slices (written back to back), or an error code. */
export interface Reply {
  status: number;
  /** Empty on error. */
  slices: Buffer[];
  /** Close the connection once the reply is written. */
  close: boolean;
}

const NO_SLICES: Buffer[] = [];

/** Errors after which the real server drops the session (it answers, then closes the connection). */
const fatalCodes = new Set<number>([IggyErrorCode.StaleClient, IggyErrorCode.ClientNotFound]);

export function errorReply(status: number): Reply {
  return { status, slices: NO_SLICES, close: fatalCodes.has(status) };
}

/**
 * Serves one request frame: looks the command up, checks the session is logged in (all but Ping,
 * LoginUser and LoginWithAccessToken), decodes, runs it on the broker and encodes the answer.
 * Never throws:
 * - unknown command code → InvalidCommand (3);
 * - not logged in → Unauthenticated (40), before the payload is decoded;
 * - a `ProtocolError` while decoding → its `iggyCode` (InvalidFormat, InvalidIdentifier, …);
 * - a `BrokerError` (or `StorageError`) → its code; StaleClient / ClientNotFound also close the connection;
 * - a system I/O error (a full disk...) → CannotSaveMessagesToSegment / CannotWriteToFile, logged (`ioFailure`);
 * - anything else (a bug) → Error (1), logged.
 */
export async function dispatch(
  frame: RequestFrame,
  handlers: ReadonlyMap<number, AnyCommandHandler>,
  ctx: HandlerContext,
  logger: BrokerLogger,
): Promise<Reply> {
  const handler = handlers.get(frame.code);
  if (!handler) return errorReply(IggyErrorCode.InvalidCommand);
  if (!handler.anonymous && !ctx.session.authenticated) return errorReply(IggyErrorCode.Unauthenticated);
  let response: unknown;
  try {
    const request: unknown = handler.codec.decodeRequest(frame.payload);
    response = await handler.run(ctx, request);
  } catch (error) {
    return errorReply(statusOf(error, frame.code, ctx.session.clientId, logger));
  }
  try {
    const slices = handler.slices ? handler.slices(response) : [handler.codec.encodeResponse(response)];
    return { status: 0, slices, close: false };
  } catch (error) {
    // The broker answered something its codec cannot encode: our bug, not the client's.
    logger.error(
      `${handler.codec.name} for client ${ctx.session.clientId}: cannot encode the response: ${describe(error)}`,
    );
    return errorReply(IggyErrorCode.Error);
  }
}

function statusOf(error: unknown, code: number, clientId: number, logger: BrokerLogger): number {
  if (error instanceof BrokerError) return error.code;
  if (error instanceof ProtocolError) return error.iggyCode;
  if (error instanceof StorageError) {
    logger.error(`${commandName(code) ?? code} for client ${clientId}: ${error.message}`);
    return error.iggyCode;
  }
  const io = ioFailure(error, code);
  if (io) {
    logger.error(
      `${commandName(code) ?? code} for client ${clientId} failed: ${io.cause}: ${describe(error)}`,
    );
    return io.code;
  }
  logger.error(`${commandName(code) ?? code} for client ${clientId} failed: ${describe(error)}`);
  return IggyErrorCode.Error;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
