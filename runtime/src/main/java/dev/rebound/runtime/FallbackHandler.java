package dev.rebound.runtime;

/**
 * A fallback that knows why it was called: it receives the primary's last failure, every failure of
 * the call so far and the call's arguments, and decides what happens next. It may answer itself (a
 * canned answer for a content-filter block), call one of the alternatives by class with other
 * arguments (a trimmed prompt for a model with a larger context), go on down the list as
 * {@code @Fallback(to = ...)} would, or throw.
 *
 * <pre>{@code
 * @Fallback(to = {LargeContextModel.class, OtherProvider.class}, handler = ByFailure.class)
 * interface Chat { String chat(String prompt); }
 *
 * public final class ByFailure implements FallbackHandler {
 *     public Object handle(FallbackContext call) throws Throwable {
 *         if (call.failure() instanceof ContextTooLongException) {
 *             return call.call(LargeContextModel.class, call.arguments());
 *         }
 *         if (call.failure() instanceof RateLimitException) {
 *             return call.call(OtherProvider.class, call.arguments());
 *         }
 *         return "Sorry, I can't answer that right now.";
 *     }
 * }
 * }</pre>
 *
 * <p>A handler runs once per call that reaches the fallbacks ({@code @Fallback.on}/{@code skipOn}
 * still decide which failures do), on the caller's thread, in place of the walk down
 * {@code @Fallback.to}. It must return a value of the method's return type (null for void). A
 * handler class named in {@code @Fallback(handler = ...)} needs a public no-argument constructor; one
 * instance serves every call, so it must be thread-safe. What the caller gets when the handler throws
 * is in {@link FallbackContext}.
 */
@FunctionalInterface
public interface FallbackHandler {

    /**
     * Decides the call's outcome after the primary failed for good.
     *
     * @return the call's result
     * @throws Throwable the call's failure (see {@link FallbackContext} for what the caller gets)
     */
    Object handle(FallbackContext call) throws Throwable;
}
