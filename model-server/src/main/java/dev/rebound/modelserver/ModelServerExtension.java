package dev.rebound.modelserver;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link ModelServer} for a JUnit 5 test class: started when the class's extension field is
 * initialised, its scripts, limits, counts and log forgotten before each test
 * ({@link ModelServer#reset()}), stopped after the last test. Needs {@code junit-jupiter-api} (an
 * optional dependency of this module) on the test class path.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ModelServerExtension models = new ModelServerExtension();
 * private static final ModelServer server = models.server();
 * }</pre>
 */
public final class ModelServerExtension implements BeforeEachCallback, AfterAllCallback {

    private final ModelServer server;

    /**
     * Starts the server.
     *
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public ModelServerExtension() {
        this.server = ModelServer.start();
    }

    /** The running server. */
    public ModelServer server() {
        return server;
    }

    /** Forgets what the previous test scripted and what the server received. */
    @Override
    public void beforeEach(ExtensionContext context) {
        server.reset();
    }

    /** Stops the server. */
    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }
}
