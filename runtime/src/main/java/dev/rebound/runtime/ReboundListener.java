package dev.rebound.runtime;

/**
 * Receives {@link ReboundEvent}s. Called on the calling thread, synchronously; keep it quick and
 * never throw (a throwing listener is logged and ignored, it never changes a call's outcome).
 */
@FunctionalInterface
public interface ReboundListener {

    /** Called for every event of a call that failed at least once, on the calling thread; must not throw. */
    void onEvent(ReboundEvent event);

    /**
     * Whether this listener wants events of {@code kind} now. Asked before each event; when no
     * listener wants it, the event is not built at all. Keep it cheap (a field read, a logger's level
     * check). Default: every kind.
     */
    default boolean wants(ReboundEvent.Kind kind) {
        return true;
    }

    /**
     * Whether this listener also wants {@link #onFirstAttemptSuccess}. When no listener does, the
     * happy path reads no clock and builds nothing.
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
}
