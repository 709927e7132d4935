/**
 * The run's money, kept where the budget is enforced. Every paid submission is counted at its
 * quote before it is made, and the quote is replaced by the provider's bill once the task ends.
 * A submission whose answer was lost stays counted, as possibly billed, because nothing can
 * prove it was not. So `spend.credits` never reads less than what providers billed, and a
 * submission that could pass `maxCredits` is refused before it is paid.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types';
import type { VideoSpend } from '../shared/video';

/** Credits set aside for a clip's remaining steps. */
export interface Reservation {
  left: number;
}

export class SpendLedger {
  /** Set aside for steps not submitted yet, so a clip is not started that the budget cannot finish. */
  private reserved = 0;

  constructor(
    private readonly spend: VideoSpend,
    private readonly maxCredits: number | undefined,
    private readonly changed: () => void,
  ) {}

  /** Sets aside a whole clip's quotes before its first submission; refuses what would pass the budget. */
  reserve(credits: number, what: string): Reservation {
    this.check(credits, what);
    this.reserved += credits;
    return { left: credits };
  }

  /** Counts one submission at its quote, taking it from the reservation while that lasts. */
  hold(reservation: Reservation, quote: number, what: string): void {
    const covered = Math.min(reservation.left, quote);
    this.check(quote - covered, what);
    reservation.left -= covered;
    this.reserved -= covered;
    this.spend.credits += quote;
    this.changed();
  }

  /** A submission that certainly created nothing (refused, rate limited): its quote goes back. */
  refund(reservation: Reservation, quote: number): void {
    this.spend.credits -= quote;
    reservation.left += quote;
    this.reserved += quote;
    this.changed();
  }

  /** A submission whose answer was lost: its quote stays counted, marked as possibly billed. */
  unconfirmed(quote: number): void {
    this.spend.unconfirmedCredits = (this.spend.unconfirmedCredits ?? 0) + quote;
    this.changed();
  }

  /** A task ended: its quote is replaced by what the provider billed (0 for a failed task). */
  settle(quote: number, billed: number): void {
    this.spend.credits += billed - quote;
    this.spend.billedCredits = (this.spend.billedCredits ?? 0) + billed;
    this.changed();
  }

  /** Gives back what a clip that stopped early had set aside. */
  release(reservation: Reservation): void {
    this.reserved -= reservation.left;
    reservation.left = 0;
  }

  private check(extra: number, what: string): void {
    const max = this.maxCredits;
    if (max === undefined || extra <= 0 || this.spend.credits + this.reserved + extra <= max) return;
    throw ApplicationFailure.create({
      type: FailureType.BudgetExceeded,
      message: `${what} would cost ${extra} credits, passing the budget of ${max} (${this.spend.credits} spent, ${this.reserved} set aside)`,
      nonRetryable: true,
    });
  }
}
