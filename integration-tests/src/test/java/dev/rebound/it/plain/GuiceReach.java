package dev.rebound.it.plain;

import com.google.inject.ProvidedBy;
import dev.rebound.annotations.Retry;
import jakarta.inject.Inject;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shapes that reach Guice's ReboundModule other than by {@code bind(I).to(Impl)} in the injector that
 * installs it, compiled by javac alone: each counts its attempts.
 */
public final class GuiceReach {

    /** Attempts made on any of these shapes since the last {@link #reset()}. */
    public static final AtomicInteger ATTEMPTS = new AtomicInteger();

    private GuiceReach() {
    }

    public static void reset() {
        ATTEMPTS.set(0);
    }

    static String down() {
        ATTEMPTS.incrementAndGet();
        throw new IllegalStateException("down " + ATTEMPTS.get());
    }

    /** A library's interface, which carries no annotation (as langchain4j's ChatModel). */
    public interface Model {
        String chat(String prompt);
    }

    /** The application's class for it, which carries the policy. */
    public static class RetryingModel implements Model {
        @Override
        @Retry(attempts = 3, delay = 100, jitter = false)
        public String chat(String prompt) {
            return down();
        }
    }

    /** The same interface, bound to a class without a policy. */
    public static class PlainModel implements Model {
        @Override
        public String chat(String prompt) {
            return down();
        }
    }

    /** An annotated interface. */
    public interface Asked {
        @Retry(attempts = 3, delay = 100, jitter = false)
        String ask(String question);
    }

    /** Its class, without annotations of its own. */
    public static class FailingAsked implements Asked {
        @Override
        public String ask(String question) {
            return down();
        }
    }

    /** An annotated interface whose binding is just in time, by its {@code @ProvidedBy} provider. */
    @ProvidedBy(ProvidedAskedProvider.class)
    public interface ProvidedAsked {
        @Retry(attempts = 3, delay = 100, jitter = false)
        String ask(String question);
    }

    public static class ProvidedAskedProvider implements com.google.inject.Provider<ProvidedAsked> {
        @Override
        public ProvidedAsked get() {
            return question -> down();
        }
    }

    /** A class with a policy and no dependency: any injector can construct it just in time. */
    public static class Worker {
        @Retry(attempts = 3, delay = 100, jitter = false)
        public String work(String task) {
            return down();
        }
    }

    /** A class that needs a {@link Worker}. */
    public static class Boss {
        public final Worker worker;

        @Inject
        public Boss(Worker worker) {
            this.worker = worker;
        }
    }

    /** Another library's interceptor marker (a transaction, a metric): nothing to do with Rebound. */
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Audited {
    }

    /** A class with a policy and a method another interceptor wants. */
    public static class AuditedJob implements Model {
        @Override
        @Retry(attempts = 3, delay = 100, jitter = false)
        public String chat(String prompt) {
            return down();
        }

        @Audited
        public String audit() {
            return "audited";
        }
    }

    /**
     * A class with a policy and nothing else another interceptor wants: an injector without ReboundModule that
     * intercepts its {@code @Retry} methods for an interceptor of its own intercepts exactly the methods
     * ReboundModule does, so Guice makes one subclass for both.
     */
    public static class SharedJob implements Model {
        @Override
        @Retry(attempts = 3, delay = 100, jitter = false)
        public String chat(String prompt) {
            return down();
        }
    }

    /** {@link SharedJob} that hands out copies of itself ({@code clone()}: Guice's subclass, its interceptor chain). */
    public static class CopyableJob implements Model, Cloneable {
        @Override
        @Retry(attempts = 3, delay = 100, jitter = false)
        public String chat(String prompt) {
            return down();
        }

        public CopyableJob copy() {
            try {
                return (CopyableJob) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** An annotated interface with a breaker that opens on the first failure. */
    public interface Guarded {
        @dev.rebound.annotations.CircuitBreaker(requestVolumeThreshold = 1, failureRatio = 1.0, delay = 60,
                unit = java.util.concurrent.TimeUnit.SECONDS)
        String ask(String question);
    }

    public static class FailingGuarded implements Guarded {
        @Override
        public String ask(String question) {
            return down();
        }
    }
}
