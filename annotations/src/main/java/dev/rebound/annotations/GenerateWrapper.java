package dev.rebound.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks the weaver's annotation processor to generate the class {@code Rebound.wrap} uses for this
 * interface (direct calls instead of a JDK proxy) although the interface carries no policy of its own:
 * for an interface you wrap with the builder's policies only.
 *
 * <pre>{@code
 * @GenerateWrapper
 * public interface Assistant {
 *     String chat(String message);
 * }
 *
 * Assistant llm = Rebound.wrap(Assistant.class, aiService)
 *     .withRetry(RetryPolicy.builder().attempts(3).build())
 *     .build();                    // Rebound.isGenerated(llm) == true
 * }</pre>
 *
 * <p>An interface that carries {@link Retry}, {@link Fallback}, {@link CircuitBreaker} or
 * {@link RateLimit} (on itself, its methods or the interfaces it extends) gets the class without it.
 * Without the processor on the compiler's processor path nothing is generated and {@code Rebound.wrap}
 * uses a JDK proxy: the same policy, a few nanoseconds and one argument array more per call.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface GenerateWrapper {
}
