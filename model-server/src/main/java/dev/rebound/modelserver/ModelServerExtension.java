package dev.rebound.modelserver;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePreDestroyCallback;

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
 *
 * <p>One test at a time: a test that starts while another test is in progress on the same server
 * (JUnit's parallel execution with {@code junit.jupiter.execution.parallel.mode.default = concurrent},
 * or {@code @Execution(CONCURRENT)} on the class) fails in {@link #beforeEach} with an
 * {@link IllegalStateException}, without resetting the server: its reset would wipe the other test's
 * scripts and counts. Run such a class with {@code @Execution(ExecutionMode.SAME_THREAD)}, or start a
 * server per test ({@code try (ModelServer server = ModelServer.start()) { ... }}).
 *
 * <p>On a {@code static} field the server is stopped after the class; on an instance field (one
 * extension, so one server, per test instance) it is stopped when its test instance is destroyed:
 * after its test, or after the class with {@code @TestInstance(Lifecycle.PER_CLASS)}.
 *
 * <p>A class that JUnit skips ({@code @Disabled}, a false {@code @EnabledIf...}) gets no callback, yet
 * JUnit reads its static extension field, which starts the server: that server stays bound, idle,
 * until the JVM exits. Its threads are daemons, so it does not keep the JVM running.
 */
public final class ModelServerExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback,
        TestInstancePreDestroyCallback {

    private final ModelServer server;
    /** Whether {@link #beforeAll} ran: registered on a static field, so the server lives for the class. */
    private volatile boolean classScoped;
    /** The tests in progress on this server, by unique id: their display names. Guarded by itself. */
    private final Map<String, String> inProgress = new LinkedHashMap<>();

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

    /** Notes that the server belongs to the class: it is stopped {@linkplain #afterAll after it}. */
    @Override
    public void beforeAll(ExtensionContext context) {
        classScoped = true;
    }

    /**
     * Forgets what the previous test scripted and what the server received.
     *
     * @throws IllegalStateException if another test is in progress on this server (tests run
     *     concurrently): the server is not reset
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (inProgress) {
            if (!inProgress.isEmpty()) {
                throw new IllegalStateException("ModelServerExtension: test " + context.getDisplayName()
                        + " started while test " + String.join(", ", inProgress.values())
                        + " is in progress on the same model server, whose reset before each test would wipe"
                        + " the other test's scripts and counts; run the class with"
                        + " @Execution(ExecutionMode.SAME_THREAD), or start a server per test"
                        + " (ModelServer.start())");
            }
            inProgress.put(context.getUniqueId(), context.getDisplayName());
        }
        server.reset();
    }

    /** Notes that the test is no longer in progress. */
    @Override
    public void afterEach(ExtensionContext context) {
        synchronized (inProgress) {
            inProgress.remove(context.getUniqueId());
        }
    }

    /** Stops the server. */
    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** Stops the server of an extension on an instance field (no {@link #beforeAll}): its instance is done. */
    @Override
    public void preDestroyTestInstance(ExtensionContext context) {
        if (!classScoped) {
            server.close();
        }
    }
}
