import {
  Body,
  Controller,
  GatewayTimeoutException,
  HttpCode,
  Post,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { IggyClientProxy, IggyRequestTimeoutError } from '../../lib/index.js';
import { QuoteRequestDto, type Quote } from '../orders/order.js';

/** Request/response over Iggy: `send` publishes a request, an `@MessagePattern` handler answers it. */
@Controller('quotes')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class QuotesController {
  constructor(private readonly client: IggyClientProxy) {}

  /** Asks `order.quote` (answered by `QuoteResponder`). */
  @Post()
  @HttpCode(200)
  quote(@Body() body: QuoteRequestDto): Promise<Quote> {
    return this.ask<Quote>('order.quote', body);
  }

  /** Asks `order.appraise`, which nobody answers: a 504 once the request times out. */
  @Post('unanswered')
  @HttpCode(200)
  unanswered(@Body() body: QuoteRequestDto): Promise<unknown> {
    return this.ask('order.appraise', body);
  }

  private async ask<T>(pattern: string, body: QuoteRequestDto): Promise<T> {
    try {
      return await firstValueFrom(
        this.client.send<T>(pattern, { tenantId: body.tenantId, items: body.items }),
      );
    } catch (error) {
      if (error instanceof IggyRequestTimeoutError) throw new GatewayTimeoutException(error.message);
      throw error;
    }
  }
}
