package dev.rebound.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Alternatives to call, in priority order, when the annotated method has failed for good
 * (after its {@link Retry} attempts, if any).
 *
 * <pre>{@code
 * interface ChatClient {
 *     @Retry(attempts = 2)
 *     @Fallback(to = {Gpt35Client.class, Gpt35Client16k.class})
 *     String chat(String prompt);
 * }
 * }</pre>
 *
 * <p>Each alternative must implement the type that declares the annotated method. The same method
 * is invoked on it with the same arguments, under the alternative's own {@link Retry} (its class's,
 * else the interface's); the first success is returned. The chain is flat: an alternative does not
 * start a chain of its own, and no class appears twice. {@link #on()} and {@link #skipOn()} judge every
 * hand-over, from the primary to the first alternative and from each alternative to the next: an
 * alternative's failure they do not let through (a bug in the backup, or on a {@link NonIdempotent}
 * method a failure that may have had its effect) ends the call, and the caller gets that failure. When
 * every alternative fails with a failure they let through, the caller gets the primary's last
 * exception. Either way every other failure is attached as suppressed.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Fallback {

    /**
     * The alternatives, in priority order. {@code {}} = no alternative: on a method, it opts that
     * method out of a type-level {@code @Fallback} (or leaves {@link #handler()} alone to decide);
     * without a handler, {@link #on()}, {@link #skipOn()} and {@link #onResult()} must then be empty
     * (they would be ignored: a configuration error). A class's own method-level list may not name the
     * class itself (it would only repeat the failed call: a configuration error); a type-level list, or
     * one on an interface or a superclass, is shared by the classes it names, and each skips itself.
     */
    Class<?>[] to();

    /**
     * Fall back only on these and their subclasses, thrown or anywhere in the failure's cause chain;
     * empty = any {@link Exception}. Judges the primary's failure and each alternative's: an alternative
     * failing with something else ends the call with that failure, the next alternatives not called. Not
     * an {@link Error} or {@link InterruptedException}, nor a type that {@link #skipOn()} lists or a
     * subclass of one: it would never be caught.
     */
    Class<? extends Throwable>[] on() default {};

    /**
     * Never fall back on these and their subclasses, thrown or as a cause; wins over {@link #on()}. A
     * subclass of an {@code on} type narrows it. An alternative failing with one ends the call with it.
     */
    Class<? extends Throwable>[] skipOn() default {};

    /**
     * Go to the alternatives at once, without retrying, when one of these predicates rejects a
     * target's result (e.g. {@code dev.rebound.runtime.langchain4j.ChatResults.Truncated}: a cut-off
     * answer goes to the larger model rather than spending attempts on the same one). Applied to every
     * target's result, alternatives included; each is a {@code java.util.function.Predicate} with a
     * public no-argument constructor. When no target returns an accepted result, the caller gets a
     * {@code RejectedResultException} carrying the last one. Not on a {@link NonIdempotent} method
     * with alternatives, nor on a method whose declared result the predicate can never judge (its
     * {@code Predicate<T>}'s {@code T}; {@code ChatResults.Truncated} reads a {@code ChatResponse}, which
     * a method returning {@code String} never returns): a configuration error.
     */
    @SuppressWarnings("rawtypes")
    Class<? extends java.util.function.Predicate>[] onResult() default {};

    /**
     * A {@code dev.rebound.runtime.FallbackHandler} that decides, once the method has failed for good,
     * what happens instead of walking {@link #to()} in order: it receives the failure, the call's whole
     * history and its arguments, and may answer itself or call any of {@link #to()} with other
     * arguments. A public class with a public no-argument constructor; {@code void.class} = none. A
     * fallback like {@link #to()}: without a {@link Retry} of more than one attempt, it is warned about.
     */
    Class<?> handler() default void.class;
}
