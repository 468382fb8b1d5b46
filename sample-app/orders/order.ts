import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export class OrderItemDto {
  @IsString() @Length(1, 64) sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

/** The body of `POST /orders`. */
export class PlaceOrderDto {
  @IsString() @Length(1, 64) tenantId!: string;
  /** Default: a generated id. */
  @IsOptional() @IsString() @Length(1, 64) orderId?: string;
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];
  @IsNumber() @Min(0) total!: number;
  /** Billing fails on a poison order until `POST /admin/fix-poison`. */
  @IsOptional() @IsBoolean() poison?: boolean;
  /** How long billing works on it (ms): a slow handler, to watch shutdown drain it. */
  @IsOptional() @IsInt() @Min(0) @Max(60_000) processingMs?: number;
  /**
   * TEST HOOK: fail the transaction after the order row and its outbox row were written (422): it rolls
   * back, so the order does not exist and its event is never published.
   */
  @IsOptional() @IsBoolean() failAfterInsert?: boolean;
}

/** The body of `POST /quotes`. */
export class QuoteRequestDto {
  @IsString() @Length(1, 64) tenantId!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];
}

/** An order as stored and as the `order.created` payload. */
export interface Order {
  tenantId: string;
  orderId: string;
  items: { sku: string; quantity: number }[];
  total: number;
  poison: boolean;
  processingMs: number;
  placedAt: string;
}

/** The `invoice.issued` payload. */
export interface Invoice {
  tenantId: string;
  orderId: string;
  invoiceId: string;
  amount: number;
  issuedAt: string;
}

/** The `order.quote` request and its answer. */
export interface QuoteRequest {
  tenantId: string;
  items: { sku: string; quantity: number }[];
}

export interface Quote {
  tenantId: string;
  lines: { sku: string; quantity: number; unitPrice: number }[];
  total: number;
  quotedBy: string;
}
