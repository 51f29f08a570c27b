package dev.rebound.modelserver;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePreDestroyCallback;

/**
 * One {@link ModelServer} for a JUnit 5 test class: started when the class's extension field is
 * initialised, its scripts, limits, counts and log forgotten before each test
 * ({@link ModelServer#reset()}), stopped once no test class that uses it will run again. Needs
 * {@code junit-jupiter-api} 5.13 or later (an optional dependency of this module) on the test class
 * path.
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
 * <p>On a {@code static} field the server is stopped after the class that declares the field, its
 * {@code @Nested} classes included: they share the server, and their end leaves it running for the
 * next one. On a static field of a base class (abstract, or a superclass of the classes that run),
 * every subclass shares the one server, and it is stopped when the test run ends (JUnit closes it
 * with the run's root {@link ExtensionContext.Store}), not after the first subclass. A base class that
 * declares the field and has tests of its own stops the server when its own tests end: a subclass
 * that runs after it fails in {@link #beforeAll} with an {@link IllegalStateException} naming both
 * classes; make the base class abstract, or give the subclass its own extension. On an instance field
 * (one extension, so one server, per test instance) the server is stopped when its test instance is
 * destroyed: after its test, or after the class under the per-class test instance lifecycle
 * ({@code Lifecycle.PER_CLASS}).
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
    /** The class whose end stopped the server (the one that declares the static field), or null. */
    private volatile Class<?> stoppedAfter;
    /** Whether the server was stopped: after its class, with its instance, or at the end of the run. */
    private final AtomicBoolean stopped = new AtomicBoolean();
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

    /**
     * Notes that the server belongs to the class: it is stopped {@linkplain #afterAll after it}.
     *
     * @throws IllegalStateException if the server was already stopped after the class that declares
     *     its static field (a base class with tests of its own, run before this subclass)
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> stopped = stoppedAfter;
        if (stopped != null) {
            throw new IllegalStateException("ModelServerExtension: class " + context.getRequiredTestClass().getName()
                    + " uses the model server of a static field of " + stopped.getName()
                    + ", which was stopped when the tests of " + stopped.getName() + " ended; make "
                    + stopped.getName() + " abstract, or give this class its own extension");
        }
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

    /**
     * Stops the server after the class that declares its static field; after any other class (a
     * {@code @Nested} class of it, a subclass of it) leaves it running, to be stopped when the
     * declaring class ends or, for a base class, when the test run ends.
     */
    @Override
    public void afterAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        if (declaringClass(testClass) == testClass) {
            stoppedAfter = testClass;
            stop();
        } else {
            context.getRoot().getStore(ExtensionContext.Namespace.create(ModelServerExtension.class))
                    .getOrComputeIfAbsent(this, extension -> (AutoCloseable) this::stop, AutoCloseable.class);
        }
    }

    /**
     * The class that declares the static field holding this extension, looked for in {@code testClass},
     * its superclasses, its enclosing classes and theirs; null if none is found.
     */
    private Class<?> declaringClass(Class<?> testClass) {
        for (Class<?> enclosing = testClass; enclosing != null; enclosing = enclosing.getEnclosingClass()) {
            for (Class<?> type = enclosing; type != null && type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && field.getType().isInstance(this)
                            && field.trySetAccessible() && holdsThis(field)) {
                        return type;
                    }
                }
            }
        }
        return null;
    }

    private boolean holdsThis(Field staticField) {
        try {
            return staticField.get(null) == this;
        } catch (IllegalAccessException unreadable) {
            return false;
        }
    }

    /** Stops the server of an extension on an instance field (no {@link #beforeAll}): its instance is done. */
    @Override
    public void preDestroyTestInstance(ExtensionContext context) {
        if (!classScoped) {
            stop();
        }
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) {
            server.close();
        }
    }
}
