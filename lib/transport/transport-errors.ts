/** `send(pattern, data)` got no reply in time. */
export class IggyRequestTimeoutError extends Error {
  override readonly name = 'IggyRequestTimeoutError';

  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
    readonly requestId: string,
  ) {
    super(
      `no reply to '${pattern}' within ${timeoutMs} ms (request ${requestId}): no running IggyServer ` +
        'has a @MessagePattern for it, or its handler is too slow',
    );
  }
}

/** `emit`/`send` could not tell which tenant the data belongs to. */
export class IggyMissingTenantError extends Error {
  override readonly name = 'IggyMissingTenantError';

  constructor(readonly pattern: string) {
    super(
      `cannot publish '${pattern}': no tenant. Put a tenantId in the data, wrap it in ` +
        "new IggyRecord(data, { tenantId }), or set the module's defaultTenantId",
    );
  }
}

/** The transport is used the wrong way (no connector, closed...). */
export class IggyTransportError extends Error {
  override readonly name = 'IggyTransportError';
}
