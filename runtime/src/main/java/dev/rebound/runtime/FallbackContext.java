package dev.rebound.runtime;

import java.util.List;

/**
 * What a {@link FallbackHandler} knows about the call it rescues, and how it continues it. Valid only
 * during {@link FallbackHandler#handle}; not thread-safe.
 *
 * <p>What the caller gets: the handler's result; or, when the handler throws, what it throws decides, with
 * every other failure of the call suppressed on it:
 * <ul>
 *   <li>the failure that ended a {@link #next} walk (an alternative's failure {@code @Fallback.on} does not
 *       list, or {@code skipOn} lists, or its Error), rethrown: that failure, even after the handler went on
 *       to other alternatives;</li>
 *   <li>any other failure of this call, rethrown (the primary's, or one an alternative threw through
 *       {@link #call}/{@link #next} that ended no walk): the primary's last failure, as without a handler
 *       (an alternative's Error just thrown is never hidden behind it);</li>
 *   <li>an exception of its own: that exception (a checked exception the method does not declare reaches a
 *       caller of a {@code Rebound.wrap} proxy as the JDK's {@code UndeclaredThrowableException}: throw
 *       unchecked ones, or ones the method declares).</li>
 * </ul>
 * The call's {@code FAILED} event names the target whose failure the caller gets: the alternative that threw
 * the failure that ended the walk, else the primary (for the handler's own exception too: the handler is not a
 * target).
 */
public interface FallbackContext {

    /** The resilient method, as {@code ChatModel.chat(String)}. */
    String method();

    /**
     * The primary's last failure: what sent the call here. A {@link RejectedResultException} when the
     * primary's results were rejected by a result predicate.
     */
    Throwable failure();

    /**
     * Every distinct failure of the call so far, in the order they happened (the primary's attempts,
     * then any alternative called through this context).
     */
    List<Throwable> history();

    /** A copy of the call's arguments, for changing and passing on. */
    Object[] arguments();

    /** The classes of the alternatives this handler may {@link #call}, in the order listed. */
    List<Class<?>> alternatives();

    /**
     * Calls {@code alternative} (one of {@link #alternatives()}) with {@code args}, through its own
     * retry policy, and returns its result.
     *
     * @throws IllegalArgumentException if {@code alternative} is not listed, or {@code args} has the
     *     wrong length
     * @throws Throwable the alternative's last failure (recorded in {@link #history()})
     */
    Object call(Class<?> alternative, Object... args) throws Throwable;

    /**
     * Walks the alternatives in order, as {@code @Fallback(to = ...)} does without a handler, each with
     * {@code args}, and returns the first result. As there, an alternative's failure that
     * {@code @Fallback.on} does not list (or {@code skipOn} lists) ends the walk.
     *
     * @throws Throwable the last failure (recorded in {@link #history()}) when every alternative failed or
     *     one ended the walk; rethrown by the handler, the caller gets the failure that ended the walk, else
     *     the primary's last failure, with every other failure suppressed on it (the class comment's rule: a
     *     handler that catches it decides what the caller gets)
     */
    Object next(Object... args) throws Throwable;
}
