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

    /**
     * The classes of the alternatives this handler may {@link #call}, in the order listed: the class at
     * index {@code i} is the alternative {@link #call(int, Object...) call(i, ...)} calls. A class given
     * twice ({@code withFallbacks(eu, us)}, two instances of {@code Backend}) is here twice. Each is the
     * class the alternative stands for, the same in every run, as events name it: the class {@code @Fallback.to}
     * lists, or the class of an instance given to {@code withFallbacks}; never a subclass a container or library
     * generated over it at run time ({@code Backend$$EnhancerByGuice$$1a2b}, a Mockito mock of {@code Backend}:
     * here {@code Backend}), nor a class generated to stand for an interface (a Mockito mock of the interface
     * {@code Chat}, a JDK proxy of it: here {@code Chat}, which {@link #call(Class, Object...) call(Chat.class,
     * ...)} calls). Listed without making any alternative's instance.
     */
    List<Class<?>> alternatives();

    /**
     * Calls {@code alternative} (one of {@link #alternatives()}) with {@code args}, through its own
     * retry policy, and returns its result. The alternative whose class, as {@link #alternatives()} lists
     * it, is {@code alternative}; when none is, the one whose class is a subclass of it. Only that
     * alternative's instance is made (a failing provider of another one does not fail this call). When two
     * alternatives fit alike (two instances of one class, or a supertype of two), the call is refused: name
     * the one meant by its position, {@link #call(int, Object...)}.
     *
     * @throws IllegalArgumentException if {@code alternative} is not listed, or is listed more than once
     *     (the message names the positions), or {@code args} has the wrong length
     * @throws Throwable the alternative's last failure (recorded in {@link #history()})
     */
    Object call(Class<?> alternative, Object... args) throws Throwable;

    /**
     * Calls the alternative at {@code position} of {@link #alternatives()}, counted from 0, with
     * {@code args}, as {@link #call(Class, Object...)} does: through its own retry policy, its failure
     * recorded in {@link #history()}, a {@code FALLBACK} event naming it as every event does (the second of
     * two {@code Backend}s listed is {@code Backend#2}: position 1). For an alternative whose class is listed
     * more than once, where {@code call(Backend.class, ...)} cannot tell which is meant:
     * <pre>{@code
     * // withFallbacks(eu, us): two instances of Backend
     * return call.failure() instanceof RegionDown ? call.call(1, call.arguments()) : call.next(call.arguments());
     * }</pre>
     * The default implementation throws {@link UnsupportedOperationException}: the context Rebound hands a
     * handler implements it.
     *
     * @throws IndexOutOfBoundsException if {@code position} is not one of {@link #alternatives()}' (the
     *     message names the positions there are)
     * @throws IllegalArgumentException if {@code args} has the wrong length
     * @throws Throwable the alternative's last failure (recorded in {@link #history()})
     */
    default Object call(int position, Object... args) throws Throwable {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement"
                + " FallbackContext.call(int, Object...)");
    }

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
