package dev.rebound.runtime.spi;

import dev.rebound.runtime.internal.Shortcut;

/**
 * The resolved, immutable policy of one method on one implementation, and the one protocol every
 * door (the aspect, the Guice interceptor, the {@code Rebound.wrap} proxy) speaks to it. Resolved
 * once; shared by every call and thread.
 *
 * <p>A door either hands the whole call to {@link #execute}, or runs the first attempt inline
 * itself, which allocates nothing, in exactly this shape ({@code execute} is that shape):
 *
 * <pre>{@code
 * if (policy.bareFirstAttempt()) {                      // nothing to ask or tell: just run it
 *     try {
 *         return invoker.invoke(context, args);
 *     } catch (Throwable failure) {
 *         return policy.failed(failure, UNTIMED, context, args, invoker);
 *     }
 * }
 * long start = policy.start();                           // a clock reading, or UNTIMED: before admission
 * if (!policy.admitFirstAttempt()) {
 *     return policy.executeAll(context, args, invoker);  // the chain runs every attempt
 * }
 * Object result;
 * try {
 *     result = invoker.invoke(context, args);             // attempt 1, inline
 * } catch (Throwable failure) {
 *     return policy.failed(failure, start, context, args, invoker); // retries, fallbacks, history
 * }
 * policy.succeeded(start);
 * return result;
 * }</pre>
 */
public interface ResilientMethod {

    /**
     * The one spelling of "no clock reading was taken" wherever a start time is passed. A clock that
     * happens to read exactly this value is read as one nanosecond later.
     */
    long UNTIMED = Long.MIN_VALUE;

    /** The method, as {@code ChatClient.chat(String)}. */
    String name();

    /**
     * Runs the call under this policy and returns its result, or throws the failure the caller
     * should see (the primary's last, with the rest of the history suppressed on it).
     */
    default Object execute(Object context, Object[] args, Invoker primary) throws Throwable {
        if (bareFirstAttempt()) {
            try {
                return primary.invoke(context, args);
            } catch (Throwable failure) {
                return failed(failure, UNTIMED, context, args, primary);
            }
        }
        long start = start();
        if (!admitFirstAttempt()) {
            return executeAll(context, args, primary);
        }
        Object result;
        try {
            result = primary.invoke(context, args);
        } catch (Throwable failure) {
            return failed(failure, start, context, args, primary);
        }
        succeeded(start);
        return result;
    }

    /**
     * Runs the whole call through the policy's chain, the first attempt included: what
     * {@link #execute} does when {@link #admitFirstAttempt()} says no.
     */
    Object executeAll(Object context, Object[] args, Invoker primary) throws Throwable;

    /**
     * Asked by a door first, on every call: true when the first attempt needs nothing but to run, now
     * (nothing on its chain must see it, no circuit breaker to ask or tell, no budget to count, no
     * deadline, no tracer, no listener timing successes). The door then runs it inline without
     * {@link #admitFirstAttempt}, {@link #start} or {@link #succeeded}, and reports only a failure, as
     * {@code failed(failure, UNTIMED, ...)}. False: the door follows the rest of the protocol, which
     * is always correct. Resolved when the policy is built but for the live settings' tracer and
     * listeners: a few field reads. True also means the attempt has started: ask once per call.
     */
    default boolean bareFirstAttempt() {
        return false;
    }

    /**
     * Whether {@link #bareFirstAttempt} says yes, and does nothing more, whenever {@link #quiet} does: the
     * method's first attempt is bare by its shape (no breaker, budget, deadline or strategy that must see it; its
     * own settings, if it has any, observe no success). Fixed when the policy is built: a door reads it once, and
     * then runs a call's first attempt after one static read ({@link #quiet}) instead of asking. False: ask.
     */
    default boolean bareByShape() {
        return false;
    }

    /**
     * Whether nothing is going on now that a door's happy path must ask about: no mark in place on any thread
     * ({@link Passthrough}: a door would let the engine's call through; an enclosing call's alternative, which
     * {@link #bareFirstAttempt} leaves to the chain), no hint left on any thread for a later failure (a call's start
     * forgets it), no rate-limited attempt running (a call it makes opens its own headers scope), and global
     * settings that observe no success. Then a {@link #bareByShape} method's {@link #bareFirstAttempt} is true and
     * {@link Passthrough#pending} false: the door may run the first attempt without asking either, and reports
     * only a failure, as after {@code bareFirstAttempt}. One static read, and one branch in the door: a door whose
     * caller must inline it (Guice's invocation) keeps its compiled happy path that small.
     */
    static boolean quiet() {
        return Shortcut.open();
    }

    /**
     * Asked by a door just before it runs the first attempt itself: whether it may. False while the
     * method's circuit breaker is not closed (the call may be refused, or be a half-open probe), or
     * when some strategy of the chain must see every attempt: the door then calls {@link #execute}.
     * True: the door runs the attempt and reports it through {@link #succeeded} or {@link #failed};
     * a retry budget has counted the call.
     *
     * <p>Without a breaker or budget it reads one field; with a closed breaker, one volatile read; with
     * a retry budget, a clock reading and an atomic increment (the budget counts the call in its second).
     */
    boolean admitFirstAttempt();

    /**
     * The start of a first attempt, read before {@link #admitFirstAttempt} asks: a clock reading when
     * this method needs one (a deadline, a listener timing calls, or a circuit breaker that has opened,
     * which compares it with the start of the closed phase that admits the attempt: read after the
     * admission, it could postdate a later closed phase and be counted there), else {@link #UNTIMED}.
     * Pass it back unchanged.
     */
    long start();

    /** An admitted first attempt succeeded ({@code start} as {@link #start()} returned it). */
    void succeeded(long start);

    /**
     * An admitted first attempt failed with {@code failure}: records it (a circuit breaker counts
     * it) and continues the call (retries, fallbacks); returns its result or throws what the caller
     * should see.
     */
    Object failed(Throwable failure, long start, Object context, Object[] args, Invoker primary)
            throws Throwable;

    /**
     * The failure of attempt {@code attempt} of the primary, reported by a door that runs the primary's
     * retries itself with typed calls (the class generated for {@code Rebound.wrap}): the first
     * attempt's as {@link #failed} would take it ({@code call} null, {@code failure} being
     * {@code first}), a later one with the {@link QuietRetry} the previous report returned.
     * Returns a {@link QuietRetry} when the door is to call the primary again now (the call is quiet,
     * the wait before that attempt is over); anything else is the call's result, and a throw is what
     * the caller gets, as from {@link #failed}. The call's arguments come loose: {@code count} (0 to 4)
     * of {@code a0..a3}, the rest null; the engine lends an array only when it needs one (an
     * alternative, the chain).
     *
     * <p>By default the first failure goes to {@link #failed} (so a door never reports a later one).
     *
     * @param call null for the first attempt's failure, else the {@link QuietRetry} the previous report returned
     * @param first the call's first failure
     * @param failure attempt {@code attempt}'s failure
     * @param attempt the primary's attempt that failed, from 1
     * @param start as {@link #start()} returned it, or {@link #UNTIMED}
     */
    default Object failedAt(Object call, Throwable first, Throwable failure, int attempt, long start, Object context,
            Invoker primary, int count, Object a0, Object a1, Object a2, Object a3) throws Throwable {
        Object[] args = count == 0 ? null : java.util.Arrays.copyOf(new Object[] {a0, a1, a2, a3}, count);
        return failed(failure, start, context, args, primary);
    }

    /**
     * The failure of attempt {@code attempt} of the primary, reported by a door that retries the primary
     * itself but cannot lend the call's arguments at once (the woven door, whose arguments only AspectJ's
     * closure holds). Returns a {@link QuietRetry} when the door is to call the primary again now (the
     * call is quiet, the wait before that attempt is over), to report that attempt's failure, if any,
     * with it as {@code call}. Anything else (null included) is what the engine decided and needs back:
     * the door hands it, with the call, to {@link #takeOver}, which runs the rest of the call. Nothing
     * is judged, asked of a listener or slept twice.
     *
     * <p>By default null: the first failure goes to {@link #failed} through {@link #takeOver}.
     *
     * @param call null for the first attempt's failure, else the {@link QuietRetry} the previous report returned
     * @param first the call's first failure
     * @param failure attempt {@code attempt}'s failure
     * @param attempt the primary's attempt that failed, from 1
     * @param start as {@link #start()} returned it, or {@link #UNTIMED}
     */
    default Object retryNow(Object call, Throwable first, Throwable failure, int attempt, long start) {
        return null;
    }

    /**
     * Runs the rest of a call that {@link #retryNow} did not retry, from what it returned ({@code next})
     * and the same {@code first}, {@code failure}, {@code attempt} and {@code start}, with the call's
     * context, arguments and invoker: its result, or a throw that is what the caller gets, as from
     * {@link #failed}.
     */
    default Object takeOver(Object next, Throwable first, Throwable failure, int attempt, long start, Object context,
            Object[] args, Invoker primary) throws Throwable {
        return failed(failure, start, context, args, primary);
    }

    /**
     * The door will not call {@link #takeOver} with {@code next}, what {@link #retryNow} returned (its
     * call ended another way): whatever the engine holds for it is given back. By default nothing.
     */
    default void abandon(Object next) {
    }

    /** What this policy is made of and the state of its breaker, for tests and diagnostics. */
    MethodDiagnostics diagnostics();
}
