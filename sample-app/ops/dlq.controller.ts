import { Body, Controller, Get, HttpCode, NotFoundException, Post, Query } from '@nestjs/common';
import { DlqManager, type DeadLetter, type DeadLetterFilter, type RedriveResult } from '../../lib/index.js';

/** A dead letter as JSON (offsets as strings, no payload bytes). */
export interface DeadLetterView {
  id: string;
  status: DeadLetter['status'];
  tenantId: string;
  group: string;
  handler: string;
  eventType: string | null;
  eventId: string | null;
  error: { name: string; message: string; nonRetryable: boolean };
  attempts: number;
  failedAt: string;
  redriveCount: number;
  origin: { stream: string; topic: string; partition: number; offset: string };
}

const STATUSES = new Set(['pending', 'redriven', 'purged', 'all']);

@Controller('dlq')
export class DlqController {
  constructor(private readonly dlq: DlqManager) {}

  /** Dead letters, oldest first: `?status=pending|redriven|purged|all&group=&tenantId=&type=`. */
  @Get()
  async list(@Query() query: Record<string, string | undefined>): Promise<DeadLetterView[]> {
    const filter: DeadLetterFilter = {};
    if (query.status && STATUSES.has(query.status))
      filter.status = query.status as DeadLetterFilter['status'];
    if (query.group) filter.group = query.group;
    if (query.tenantId) filter.tenantId = query.tenantId;
    if (query.type) filter.type = query.type;
    return (await this.dlq.list(filter)).map(view);
  }

  /** Redrives one dead letter (`{ "id": ... }`) or every pending one (no id). */
  @Post('redrive')
  @HttpCode(200)
  async redrive(@Body() body: { id?: string } = {}): Promise<{ redriven: RedriveResult[] }> {
    if (body?.id === undefined) return { redriven: await this.dlq.redriveAll() };
    const found = await this.dlq.get(body.id);
    if (!found) throw new NotFoundException(`dead letter ${body.id} not found`);
    return { redriven: [await this.dlq.redrive(body.id)] };
  }
}

function view(d: DeadLetter): DeadLetterView {
  return {
    id: d.id,
    status: d.status,
    tenantId: d.tenantId,
    group: d.group,
    handler: d.handler,
    eventType: d.eventType ?? null,
    eventId: d.eventId ?? null,
    error: { name: d.error.name, message: d.error.message, nonRetryable: d.error.nonRetryable },
    attempts: d.attempts,
    failedAt: d.failedAt.toISOString(),
    redriveCount: d.redriveCount,
    origin: {
      stream: d.origin.stream,
      topic: d.origin.topic,
      partition: d.origin.partition,
      offset: String(d.origin.offset),
    },
  };
}
