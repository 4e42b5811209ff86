/** What the detection engine needs from exceptions: the rule's active items (wired to the exceptions service). */
import type { ExceptionItemForMatching } from '../../store/ports';
import type { EffectiveRule } from '../rules/rule-definition';

export interface ExceptionSource {
  /** Unexpired exception items of the rule's lists at `now`. */
  activeItemsFor(rule: EffectiveRule, now: number): Promise<ExceptionItemForMatching[]>;
}

/** No exceptions at all (tests that do not exercise them). */
export const noExceptions: ExceptionSource = { activeItemsFor: async () => [] };
