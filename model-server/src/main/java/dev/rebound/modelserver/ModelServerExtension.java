package dev.rebound.runtime.langchain4j;

import dev.rebound.modelserver.ModelServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link ModelServer} for a test class: started with the class, its scripts, limits, counts and
 * log forgotten before each test, stopped after the last one.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ModelServerExtension models = new ModelServerExtension();
 * private static final ModelServer server = models.server();
 * }</pre>
 */
public final class ModelServerExtension implements BeforeEachCallback, AfterAllCallback {

    private final ModelServer server = ModelServer.start();

    /** The running server. */
    public ModelServer server() {
        return server;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }
}
