package dev.rebound.modelserver;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
 * <p>On a {@code static} field the server is stopped after the class that declares the field and
 * makes the extension (in its static initialiser, as above), its {@code @Nested} classes included: they
 * share the server, and their end leaves it running for the next one. On a static field of a base class
 * (abstract, or a superclass of the classes that run), every subclass shares the one server, and it is
 * stopped when the test run ends (JUnit closes it with the run's root {@link ExtensionContext.Store}),
 * not after the first subclass. So is one extension that a class with no tests makes and several test
 * classes register ({@code static final ModelServerExtension models = SharedServers.MODELS;}). A base
 * class that declares the field and has tests of its own stops the server when its own tests end: a
 * subclass that runs after it fails in {@link #beforeAll} with an {@link IllegalStateException} naming
 * both classes; make the base class abstract, or give the subclass its own extension. Likewise a class
 * that registers the extension of another test class and runs after it fails, naming both.
 *
 * <p>A static field's server serves one test run of its classes in a JVM: a stopped server cannot
 * serve again, and the field, set once when its class is initialised, cannot be given a new one. A
 * second run of those classes in the same JVM (the JUnit launcher called again, as an IDE or a watch
 * mode may) fails in {@link #beforeAll} with an {@link IllegalStateException} that says so; run again in
 * a new JVM, or give each run its own extension (an instance field).
 *
 * <p>On an instance field (one extension, so one server, per test instance) the server is stopped
 * when the test instance that holds it is destroyed: after its test, or after its class (its
 * {@code @Nested} classes included) under the per-class test instance lifecycle
 * ({@code Lifecycle.PER_CLASS}).
 *
 * <p>A class that JUnit skips ({@code @Disabled}, a false {@code @EnabledIf...}) gets no callback, yet
 * JUnit reads its static extension field, which starts the server: that server stays bound, idle,
 * until the JVM exits. Its threads are daemons, so it does not keep the JVM running.
 */
public final class ModelServerExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback,
        TestInstancePreDestroyCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ModelServerExtension.class);

    private final ModelServer server;
    /** The class whose static initialiser made this extension (null if none did): it owns the server. */
    private final Class<?> maker;
    /** The class whose end stopped the server (the one that makes and declares the static field), or null. */
    private volatile Class<?> stoppedAfter;
    /** The test run that the server last served (its marker in the root store), or null. */
    private volatile Object servedRun;
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
        this.maker = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(frame -> frame.getMethodName().equals("<clinit>")).findFirst()
                .<Class<?>>map(StackWalker.StackFrame::getDeclaringClass).orElse(null));
    }

    /** The running server. */
    public ModelServer server() {
        return server;
    }

    /**
     * Checks that the server still runs for the class.
     *
     * @throws IllegalStateException if the server was stopped: after the class that makes and declares
     *     its static field (a base class with tests of its own, run before this subclass; or another
     *     test class whose extension this class registers too), or by an earlier test run in this JVM
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        Object run = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(ModelServerExtension.class, key -> new Object(), Object.class);
        if (stopped.get()) {
            Class<?> testClass = context.getRequiredTestClass();
            Class<?> after = stoppedAfter;
            String prefix = "ModelServerExtension: class " + testClass.getName()
                    + " uses the model server of a static field";
            if (servedRun != run || after == null) {
                throw new IllegalStateException(prefix + ", stopped by an earlier test run in this JVM; a static"
                        + " field's server serves one test run of its classes: run them again in a new JVM, or give"
                        + " each run its own extension (an instance field)");
            }
            prefix += " of " + after.getName() + ", which was stopped when the tests of " + after.getName()
                    + " ended; ";
            throw new IllegalStateException(after.isAssignableFrom(testClass)
                    ? prefix + "make " + after.getName() + " abstract, or give this class its own extension"
                    : prefix + "give this class its own extension, or share one that a class with no tests makes"
                            + " (a holder's static final field)");
        }
        servedRun = run;
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
     * Stops the server after the class that makes the extension in its static initialiser and declares
     * the static field that holds it; after any other class (a {@code @Nested} class of it, a subclass of
     * it, a class that registers an extension made elsewhere) leaves it running, to be stopped when that
     * class ends or when the test run ends.
     */
    @Override
    public void afterAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        // made in this class's static initialiser, or off it (on another thread: no maker is known), and
        // held by this class's own static field
        if ((maker == null || testClass == maker) && declaringClass(testClass) == testClass) {
            stoppedAfter = testClass;
            stop();
        } else {
            context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent(this, extension -> (AutoCloseable) this::stop, AutoCloseable.class);
        }
    }

    /**
     * The class that declares the static field holding this extension, looked for in {@code testClass},
     * its superclasses, its enclosing classes and theirs; null if none is found.
     */
    private Class<?> declaringClass(Class<?> testClass) {
        for (Class<?> enclosing = testClass; enclosing != null; enclosing = enclosing.getEnclosingClass()) {
            Class<?> declaring = holder(enclosing, null);
            if (declaring != null) {
                return declaring;
            }
        }
        return null;
    }

    /**
     * The class, {@code type} or a superclass, that declares a field holding this extension: a static
     * field if {@code instance} is null, else an instance field of {@code instance}; null if none does.
     */
    private Class<?> holder(Class<?> type, Object instance) {
        for (; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) == (instance == null) && field.getType().isInstance(this)
                        && field.trySetAccessible() && holdsThis(field, instance)) {
                    return type;
                }
            }
        }
        return null;
    }

    private boolean holdsThis(Field field, Object instance) {
        try {
            return field.get(instance) == this;
        } catch (IllegalAccessException unreadable) {
            return false;
        }
    }

    /**
     * Stops the server of an extension on an instance field when the test instance that holds it is
     * destroyed: after its test, or after its class under the per-class lifecycle. The instances of
     * enclosing classes that outlive this context (per-class ones) are not destroyed here. An extension a
     * class's static initialiser made (a shared constant some instance field holds too) is stopped when the
     * run ends instead: other classes may use it later in the run.
     */
    @Override
    public void preDestroyTestInstance(ExtensionContext context) {
        Set<Object> outliving = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ExtensionContext parent = context.getParent().orElse(null); parent != null;
                parent = parent.getParent().orElse(null)) {
            parent.getTestInstance().ifPresent(outliving::add);
        }
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            if (!outliving.contains(instance) && holder(instance.getClass(), instance) != null) {
                if (maker != null) {
                    // made by a class's static initialiser (a holder's shared constant): other classes may
                    // use it later in the run, so it is stopped when the run ends
                    context.getRoot().getStore(NAMESPACE)
                            .getOrComputeIfAbsent(this, extension -> (AutoCloseable) this::stop, AutoCloseable.class);
                } else {
                    stop();
                }
                return;
            }
        }
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) {
            server.close();
        }
    }
}
