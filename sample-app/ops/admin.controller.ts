import { Body, Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { PoisonSwitch } from './poison-switch.js';

@Controller('admin')
export class AdminController {
  private readonly logger = new Logger('Admin');

  constructor(private readonly poison: PoisonSwitch) {}

  /** Deploys the "fix": billing accepts poison orders from now on (`{ "fixed": false }` breaks it again). */
  @Post('fix-poison')
  @HttpCode(200)
  fixPoison(@Body() body: { fixed?: boolean } = {}): { fixed: boolean } {
    this.poison.fixed = body?.fixed ?? true;
    this.logger.log(`poison orders are ${this.poison.fixed ? 'accepted' : 'rejected'} by billing now`);
    return { fixed: this.poison.fixed };
  }
}
