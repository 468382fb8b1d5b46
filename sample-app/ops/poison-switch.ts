import { Injectable } from '@nestjs/common';

/** Whether the "bug" that makes billing reject poison orders is fixed (`POST /admin/fix-poison`). */
@Injectable()
export class PoisonSwitch {
  fixed = false;
}
