package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundConfigurationException;
import static dev.rebound.runtime.ReboundEvent.Kind.FALLBACK;

import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.FallbackRule;
import java.util.concurrent.CompletableFuture;

/**
 * The top of the chain when there are alternatives: once the primary's chain has failed, and the
 * {@link FallbackRule} lets its failure through, tries each alternative's chain in order until one
 * answers, each alternative's failure judged by the same rule: one it does not let through ends the call
 * as itself ({@link #stoppedBy}). Never after an Error or an interrupt. {@link HandlerFallbackStrategy} is this with a
 * {@code FallbackHandler} deciding what follows the primary's failure ({@link #fallBack}).
 */
class FallbackStrategy implements Strategy {

    final FallbackRule rule;
    private final Strategy primary;
    final Alternative[] alternatives;
    /** The chain of each alternative, by index. */
    final Strategy[] chains;
    final Events events;

    FallbackStrategy(FallbackRule rule, Strategy primary, Alternative[] alternatives, Strategy[] chains,
            Events events) {
        this.rule = rule;
        this.primary = primary;
        this.alternatives = alternatives;
        this.chains = chains;
        this.events = events;
    }

    /** The primary's chain; when it fails, what {@link #fallBack} does. */
    @Override
    public final Object apply(Execution call) throws Throwable {
        Object result;
        try {
            result = primary.apply(call);
        } catch (Throwable t) {
            result = call.failed(t);
        }
        if (result != Execution.FAILED) {
            return result;
        }
        keep(call.history, call.failure);
        call.history.primaryDone();
        return fallBack(call);
    }

    /**
     * After the primary's chain failed (its last failure is the history's last): each alternative's
     * chain in order, until one answers, or one fails with a failure the rule does not pass on (which
     * the caller then gets); else the last failure (the caller gets the primary's).
     */
    Object fallBack(Execution call) throws Throwable {
        FailureHistory history = call.history;
        for (int i = 0; !stops(call, i); i++) {
            if (!aimAt(call, i)) {
                continue;
            }
            Object result;
            try {
                result = chains[i].apply(call);
            } catch (Throwable t) {
                result = call.failed(t);
            }
            if (result != Execution.FAILED) {
                return result;
            }
            keep(history, call.failure);
        }
        return call.failed(history.last());
    }

    /**
     * Whether the walk ends before alternative {@code i}: after the primary ({@code i == 0}) when the rule
     * does not let its failure through; after an alternative when it does not let that one's through
     * ({@link #goesOn}: it is then the caller's), or when it was the last.
     */
    private boolean stops(Execution call, int i) {
        return (i == 0 ? !mayFallBack(call) : !goesOn(call)) || i == alternatives.length;
    }

    /**
     * Whether the call may go on to an alternative after {@code last}: never after an interrupt, an
     * Error or a {@code ReboundConfigurationException} (a policy the target could not build: an alternative
     * would hide it); when the rule lets the failure through, or a fallback predicate rejected the result
     * (whatever {@code on} lists; {@code skipOn} still wins).
     */
    static boolean mayFallBack(Execution call, FallbackRule rule, Throwable last) {
        return mayFallBack(call.interrupted, call.refusedHere(last), rule, last);
    }

    /**
     * As {@link #mayFallBack(Execution, FallbackRule, Throwable)}, for a call {@code interrupted} or not,
     * whose {@code last} failure is a refusal of its own ({@code ownRefusal}) or not.
     */
    static boolean mayFallBack(boolean interrupted, boolean ownRefusal, FallbackRule rule, Throwable last) {
        if (interrupted || last instanceof Error || last instanceof ReboundConfigurationException) {
            return false;
        }
        return rule.fallsBackOn(last, ownRefusal) || last instanceof RejectedResultException
                && ((RejectedResultException) last).sendsToFallbacks() && !rule.skips(last);
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        primary.applyAsync(call).whenComplete((result, t) -> {
            if (t == null) {
                out.complete(result);
            } else {
                keep(call.history, Async.failure(t));
                call.history.primaryDone();
                alternativeAsync(call, 0, out);
            }
        });
        return out;
    }

    /**
     * Tries alternatives from {@code i} on, as {@link #apply} does, completing {@code out}; a listener's
     * Error (the FALLBACK event's) ends the call with it, as it leaves {@link #apply}.
     */
    private void alternativeAsync(Execution call, int i, CompletableFuture<Object> out) {
        FailureHistory history = call.history;
        try {
            for (; !stops(call, i); i++) {
                if (!aimAt(call, i)) {
                    continue;
                }
                int next = i + 1;
                chains[i].applyAsync(call).whenComplete((result, t) -> {
                    if (t == null) {
                        out.complete(result);
                    } else {
                        keep(history, Async.failure(t));
                        alternativeAsync(call, next, out);
                    }
                });
                return;
            }
        } catch (Throwable listenerError) {
            out.completeExceptionally(listenerError);
            return;
        }
        out.completeExceptionally(history.last());
    }

    /**
     * Whether the call's last failure lets it go on to an alternative: never after an Error, an
     * interrupt or a cancel; see {@link #mayFallBack(Execution, FallbackRule, Throwable)}.
     */
    private boolean mayFallBack(Execution call) {
        Throwable last = call.history.last();
        return !call.cancelled() && mayFallBack(call, rule, last);
    }

    /**
     * After an alternative failed (or its instance could not be made): whether the call goes on to the
     * next, by the rule the primary's failure was judged by. When not, that failure ends the call as
     * itself ({@link #stoppedBy}).
     */
    private boolean goesOn(Execution call) {
        if (mayFallBack(call)) {
            return true;
        }
        stoppedBy(call.history, call.interrupted || call.cancelled());
        return false;
    }

    /**
     * An alternative's failure that the rule does not pass on (outside {@code on}, listed in {@code skipOn},
     * an Error, a {@code ReboundConfigurationException}) ended the walk: it is what the caller gets, every
     * other failure suppressed on it, and the FAILED event and its WARN line name that alternative and its
     * class. Not after an interrupt or a cancel, which end a call wherever it is: the caller then gets the
     * primary's last failure, as before any alternative.
     */
    static void stoppedBy(FailureHistory history, boolean interruptedOrCancelled) {
        if (!interruptedOrCancelled) {
            history.endedBy(history.last());
        }
    }

    /**
     * Reports the switch to alternative {@code i} and points the call at it; false when its instance
     * could not be provided (that failure joins the history, and the next alternative is tried).
     */
    private boolean aimAt(Execution call, int i) {
        Alternative alt = alternatives[i];
        Throwable last = call.history.last();
        events.emit(call, FALLBACK, call.target, alt.name(), 0, 0L, refusedBy(call, last), last);
        call.trace.fallback(call.target, alt.name());
        call.aim(alt.name(), false, alt, null, null);
        Object instance;
        try {
            instance = alt.instance();
        } catch (Throwable providerFailure) {
            call.history.record(providerFailure);
            return false;
        }
        // synchronously, the arguments where the door holds them; an asynchronous call's, copied once
        call.aim(alt.name(), false, alt, instance, call.async ? call.fallbackArgs() : call.alternativeArgs());
        return true;
    }

    /**
     * Why a switch is made without a failure of the target's: {@code circuit-open} or {@code rate-limited}
     * when {@code last} is a refusal of the call's own breaker or rate limit; null for any other failure
     * (one a call the target made met included).
     */
    static Reason refusedBy(Execution call, Throwable last) {
        if (!call.refusedHere(last)) {
            return null;
        }
        return last instanceof RateLimitRefusedException ? Reason.RATE_LIMITED : Reason.CIRCUIT_OPEN;
    }

    /** A failure the retry below did not record (it came from above the attempts) joins the history. */
    static void keep(FailureHistory history, Throwable t) {
        if (t != history.last()) {
            history.record(t);
        }
    }
}
