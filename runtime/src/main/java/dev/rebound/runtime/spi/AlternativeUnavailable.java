package dev.rebound.runtime.spi;

/**
 * Why an alternative ({@code @Fallback.to}) cannot be provided, in words that name classes and bindings
 * only: thrown by the default resolver and by a door (an injector that has no binding for the class), and
 * shown as it is in the configuration error ({@code Chat.chat(String): @Fallback.to Backup cannot be
 * provided: <message>}). Any other exception a resolver throws is shown by its class name alone, since a
 * user's message may carry anything.
 */
public class AlternativeUnavailable extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** @param reason why, naming classes only, e.g. {@code "app.Backup has no public no-argument constructor"} */
    public AlternativeUnavailable(String reason) {
        super(reason);
    }

    /** As {@link #AlternativeUnavailable(String)}, with the failure that showed it. */
    public AlternativeUnavailable(String reason, Throwable cause) {
        super(reason, cause);
    }
}
