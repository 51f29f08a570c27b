package dev.rebound.runtime;

import java.util.Set;

/**
 * Receives {@link ReboundEvent}s. Called synchronously, on the thread the call is on when the event
 * happens (the caller's for a synchronous call; for an asynchronous or streamed one, also the thread that
 * completed an attempt or ran a scheduled retry); keep it quick and
 * never throw (an exception it throws is logged and ignored, it never changes a call's outcome; an
 * {@link Error} is not caught: it ends the call, and the caller gets it, as what a synchronous call
 * throws, as an asynchronous call's failed future, or as a streamed call's {@code onError}).
 */
@FunctionalInterface
public interface ReboundListener {

    /**
     * Called for every event this listener wants ({@link #wantedKinds()}, {@link #wants}), on the thread
     * the event happens on; must not throw. The events are those of a call that failed at least once;
     * the rate limit's ({@link ReboundEvent.Kind#RATE_LIMIT_WAITED RATE_LIMIT_WAITED},
     * {@link ReboundEvent.Kind#RATE_LIMIT_TOKENS_CHARGED RATE_LIMIT_TOKENS_CHARGED},
     * {@link ReboundEvent.Kind#RATE_LIMIT_TOKENS_REFUNDED RATE_LIMIT_TOKENS_REFUNDED}), which a call
     * through a rate limit emits whatever its outcome, one that succeeds on its first attempt too; and
     * those outside a call: a circuit breaker's transitions (a successful probe closes it), a stream that broke after
     * its call answered, a call cancelled before its chain ran.
     */
    void onEvent(ReboundEvent event);

    /**
     * Whether this listener wants events of {@code kind}; asked only when {@link #wantedKinds()} returns
     * null (its default). During a call it is asked at most once per kind, before the call's first
     * event of that kind, and the answer holds until the call ends (so an answer that changes within a
     * call applies to the kinds not asked yet: answer from {@link #wantedKinds()} to change only between
     * calls); outside a call (a circuit breaker's
     * transitions, a stream that broke after its call answered) it is asked before each event. When no
     * listener wants an event, the event is not built at all. Keep it cheap (a field read, a logger's
     * level check). Default: every kind.
     */
    default boolean wants(ReboundEvent.Kind kind) {
        return true;
    }

    /**
     * The kinds of event this listener wants during the call that is starting, all at once, or null
     * (the default) to be asked {@link #wants} per kind instead. Asked once per call, when the call's
     * first event is about to be built (a call that succeeds on its first attempt asks nothing, unless
     * its rate limit held it back or charged it tokens: those events come from any call), and the
     * answer holds until that call ends: a change (a log level set at run time) applies from the next
     * call, and one call's answer never serves another. Also asked before each event outside a call,
     * as {@link #wants} is. When every listener's set is empty, the call builds no event and asks
     * nothing more.
     *
     * <p>Return a set made once and never changed (as {@code Collections.unmodifiableSet(EnumSet.of(...))}),
     * one of a few chosen by the state the answer depends on: the engine reads it with
     * {@link Set#contains} and {@link Set#isEmpty} while the call lasts.
     *
     * @return the kinds wanted, empty for none; or null to be asked {@link #wants(ReboundEvent.Kind)}
     */
    default Set<ReboundEvent.Kind> wantedKinds() {
        return null;
    }

    /**
     * Whether this listener also wants {@link #onFirstAttemptSuccess}. When no listener does, the
     * happy path reads no clock for it and builds nothing (a method with a retry budget reads the clock
     * to count the call in its second, and one whose circuit breaker has opened to read the attempt's
     * start).
     *
     * <p>Asked when the settings are built (whether any listener times successes: a listener that answers
     * false then is never timed, even if it answers true later) and again after each successful first
     * attempt, before {@link #onFirstAttemptSuccess}; an exception it throws then is logged and ignored, as
     * any listener's, and that call's success is not told to it.
     */
    default boolean wantsFirstAttemptSuccess() {
        return false;
    }

    /**
     * A call that succeeded on its first attempt, with its duration; no event object is built.
     *
     * @param method the resilient method, as {@code ChatClient.chat(String)}
     * @param nanos the call's duration, or -1 when timing is off
     */
    default void onFirstAttemptSuccess(String method, long nanos) {
    }

    /**
     * As {@link #onFirstAttemptSuccess(String, long)}, with the target that answered (the primary's
     * name, as {@link ReboundEvent#target()} gives it). The engine calls this one; by default it
     * calls the two-argument method.
     *
     * @param method the resilient method, as {@code ChatClient.chat(String)}
     * @param target the primary's name, as {@code OpenAiChatModel} or the name given to the wrapper
     * @param nanos the call's duration, or -1 when timing is off
     */
    default void onFirstAttemptSuccess(String method, String target, long nanos) {
        onFirstAttemptSuccess(method, nanos);
    }

    /**
     * As {@link #onFirstAttemptSuccess(String, String, long)}, for a call an enclosing call made on this
     * method's {@code Rebound.wrap} wrapper as its alternative ({@link ReboundEvent#nestedCall()}): its
     * first attempt answered, one request, inside the enclosing call, which is the logical call. The
     * engine calls this one for such a call; by default it calls the three-argument method.
     *
     * @param method the resilient method, as {@code ChatClient.chat(String)}
     * @param target the primary's name, as {@code OpenAiChatModel} or the name given to the wrapper
     * @param nanos the nested call's duration, or -1 when timing is off
     */
    default void onNestedFirstAttemptSuccess(String method, String target, long nanos) {
        onFirstAttemptSuccess(method, target, nanos);
    }
}
