package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.FALLBACK;

import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.FallbackRule;

/**
 * The top of the chain when there are alternatives: once the primary's chain has failed, and the
 * {@link FallbackRule} lets its failure through, tries each alternative's chain in order until one
 * answers. Never after an Error or an interrupt.
 */
final class FallbackStrategy implements Strategy {

    private final FallbackRule rule;
    private final Strategy primary;
    private final Alternative[] alternatives;
    /** The chain of each alternative, by index. */
    private final Strategy[] chains;
    private final Events events;

    FallbackStrategy(FallbackRule rule, Strategy primary, Alternative[] alternatives, Strategy[] chains,
            Events events) {
        this.rule = rule;
        this.primary = primary;
        this.alternatives = alternatives;
        this.chains = chains;
        this.events = events;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        FailureHistory history = call.history;
        try {
            return primary.apply(call);
        } catch (Throwable t) {
            keep(history, t);
        }
        history.primaryDone();
        for (int i = 0; i < alternatives.length; i++) {
            Throwable last = history.last();
            if (!mayFallBack(call, rule, last)) {
                break;
            }
            Alternative alt = alternatives[i];
            events.emit(call.settings, FALLBACK, call.target, alt.name(), 0, 0L, null, last);
            call.trace.fallback(call.target, alt.name());
            call.aim(alt.name(), false, alt, null, null);
            Object instance;
            try {
                instance = alt.instance();
            } catch (Throwable providerFailure) {
                history.record(providerFailure);
                continue;
            }
            call.aim(alt.name(), false, alt, instance, call.fallbackArgs());
            try {
                return chains[i].apply(call);
            } catch (Throwable t) {
                keep(history, t);
            }
        }
        throw history.last();
    }

    /**
     * Whether the call may go on to an alternative after {@code last}: never after an interrupt or an
     * Error; when the rule lets the failure through, or a fallback predicate rejected the result
     * (whatever {@code on} lists; {@code skipOn} still wins).
     */
    static boolean mayFallBack(Execution call, FallbackRule rule, Throwable last) {
        if (call.interrupted || last instanceof Error) {
            return false;
        }
        return rule.fallsBackOn(last) || last instanceof RejectedResultException
                && ((RejectedResultException) last).sendsToFallbacks() && !rule.skips(last);
    }

    /** A failure the retry below did not record (it came from above the attempts) joins the history. */
    static void keep(FailureHistory history, Throwable t) {
        if (t != history.last()) {
            history.record(t);
        }
    }
}
