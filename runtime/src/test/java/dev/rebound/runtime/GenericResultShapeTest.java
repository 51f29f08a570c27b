package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A method whose result is a type variable of a generic supertype has the shape of what that variable
 * is where the method is called: a future there is retried on the future's failure, a Stream there is
 * refused as every Stream-returning method is. (Reflection alone says {@code Object}: a plain result.)
 * The same through the generated class: {@code GeneratedWrapperTest} in integration-tests.
 */
class GenericResultShapeTest {

    interface Task<T> {
        @Retry(attempts = 3, delay = 100, jitter = false)
        T run(String input);
    }

    interface AsyncTask extends Task<CompletableFuture<String>> {
    }

    interface StreamTask extends Task<Stream<String>> {
    }

    @Retry(attempts = 3, delay = 100, jitter = false)
    interface AsyncSupplier extends Supplier<CompletableFuture<String>> {
    }

    /** A generic base class, as a Guice-bound or woven class inherits it. */
    abstract static class Job<T> {
        @Retry(attempts = 3)
        public abstract T run(String input);
    }

    static final class StreamJob extends Job<Stream<String>> {
        @Override
        public Stream<String> run(String input) {
            return Stream.of(input);
        }
    }

    /** A generic class wrapped as its generic interface: nothing binds T, so Java erases it. */
    static final class Holder<T> implements Task<T> {
        final AtomicInteger runs = new AtomicInteger();
        final T result;

        Holder(T result) {
            this.result = result;
        }

        @Override
        public T run(String input) {
            runs.incrementAndGet();
            return result;
        }
    }

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final Events events = new Events();

    private <T> Rebound.Builder<T> wrap(Class<T> type, T target, boolean proxy) {
        Rebound.Builder<T> b = Rebound.wrap(type, target).settings(events.settings(clock));
        return proxy ? b.viaJdkProxy() : b;
    }

    @Test
    void aTypeVariableNothingBindsIsAPlainValueSoAFailedFutureIsReturnedAsItIs() {
        CompletableFuture<String> failed = CompletableFuture.failedFuture(new IOException("down"));
        Holder<CompletableFuture<String>> holder = new Holder<>(failed);
        @SuppressWarnings("unchecked")
        Task<CompletableFuture<String>> task = wrap(Task.class, holder, false).build();

        assertThat(task.run("x")).as("returned as a value: the troubleshooting row's limit").isSameAs(failed);
        assertThat(holder.runs.get()).isEqualTo(1);
        assertThat(clock.scheduled()).isEmpty();
    }

    /** LangChain's Runnable shape: a generic step, its type arguments given nowhere a wrapper can see. */
    interface Step<I, O> {
        O invoke(I input);
    }

    /**
     * A retry on a generic step wrapped around a lambda that answers with a future: the unbound result is a
     * plain value, so the retry judges the future; the first future returned is warned about, once per
     * method, naming it and the remedy. A step that answers with a plain value, or a method whose result is
     * not a type variable, is never warned about.
     */
    @Test
    void aPolicyOnAGenericStepThatAnswersWithAFutureIsWarnedAboutOnceNamingTheRemedy() {
        AtomicInteger runs = new AtomicInteger();
        Step<String, CompletableFuture<String>> target = q -> {
            runs.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("503"));
        };
        Step<String, String> plain = q -> "answer";
        String err = StdErr.during(() -> {
            @SuppressWarnings("unchecked")
            Step<String, CompletableFuture<String>> step = wrap(Step.class, target, false)
                    .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                    .build();
            assertThat(step.invoke("q")).isCompletedExceptionally();
            assertThat(step.invoke("q")).isCompletedExceptionally();
            @SuppressWarnings("unchecked")
            Step<String, String> plainStep = wrap(Step.class, plain, true)
                    .withRetry(RetryPolicy.builder().attempts(3).build()).build();
            assertThat(plainStep.invoke("q")).isEqualTo("answer");
        });

        String warning = "WARN dev.rebound - Step.invoke(Object) returned a CompletableFuture, but its result is"
                + " read as a plain Object (a type variable nothing binds where it is wrapped, or one bound to Object):"
                + " its retry, fallback, result check and circuit breaker judge the future, not its outcome, so a"
                + " future that fails is a success; give the wrapper the future's type where it can see it (wrap an"
                + " interface that binds it, interface AsyncStep extends Step<I, CompletableFuture<O>>, or a class"
                + " that implements Step<I, CompletableFuture<O>>)";
        assertThat(runs).as("attempts: the future is a plain value, the limit the WARN names").hasValue(2);
        assertThat(err.lines().filter(l -> l.contains("Step.invoke")).map(l -> l.substring(l.indexOf("WARN "))))
                .as("warnings about Step.invoke").containsExactly(warning);
    }

    @Test
    void aFailedFutureOfATypeVariableResultIsRetriedOnTheClock() {
        for (boolean proxy : new boolean[] {false, true}) {
            VirtualTimeSource time = new VirtualTimeSource();
            AtomicInteger runs = new AtomicInteger();
            AsyncTask target = in -> {
                runs.incrementAndGet();
                return CompletableFuture.failedFuture(new IOException("down"));
            };
            Rebound.Builder<AsyncTask> b = Rebound.wrap(AsyncTask.class, target).settings(events.settings(time));
            CompletableFuture<String> result = (proxy ? b.viaJdkProxy() : b).build().run("x");

            assertThat(runs.get()).as("first attempt").isEqualTo(1);
            assertThat(time.scheduled()).as("the wait is scheduled, not slept").containsExactly(Duration.ofMillis(100));
            time.advance(Duration.ofMillis(100));
            assertThat(time.scheduled()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
            time.advance(Duration.ofMillis(200));
            assertThat(runs.get()).as("viaJdkProxy=" + proxy).isEqualTo(3);
            assertThat(time.sleeps()).isEmpty();
            assertThat(result).isDone();
            assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void aBuilderRetryOnATypeVariableResultThatIsAFutureRetriesTheFuture() {
        AtomicInteger runs = new AtomicInteger();
        AsyncTask target = in -> runs.incrementAndGet() < 3
                ? CompletableFuture.failedFuture(new IOException("down")) : CompletableFuture.completedFuture("ok " + in);
        CompletableFuture<String> result = wrap(AsyncTask.class, target, true)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .build().run("x");

        clock.advance(Duration.ofMillis(300));
        assertThat(result).isCompletedWithValue("ok x");
        assertThat(runs.get()).isEqualTo(3);
    }

    @Test
    void aTypeLevelRetryOnASupplierOfAFutureRetriesTheFuture() {
        AtomicInteger runs = new AtomicInteger();
        AsyncSupplier target = () -> {
            runs.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("down"));
        };
        CompletableFuture<String> result = wrap(AsyncSupplier.class, target, false).build().get();

        clock.advance(Duration.ofMillis(300));
        assertThat(runs.get()).isEqualTo(3);
        assertThat(result).isCompletedExceptionally();
    }

    @Test
    void aRetryOnATypeVariableResultThatIsAStreamIsRejectedAtBuild() {
        AtomicInteger runs = new AtomicInteger();
        StreamTask target = in -> {
            runs.incrementAndGet();
            return Stream.of(in);
        };
        for (boolean proxy : new boolean[] {false, true}) {
            assertThatThrownBy(() -> wrap(StreamTask.class, target, proxy).build())
                    .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                            .containsExactly("Task.run(String): @Retry cannot act on a method returning Stream: its "
                                    + "failures arrive after the call has returned (apply the policy where the result "
                                    + "is awaited)"));
        }
        assertThat(runs.get()).isZero();
    }

    @Test
    void aDoorResolvingAGenericBaseClassMethodSeesTheStreamToo() throws Exception {
        assertThatThrownBy(() -> Policies.resolve(StreamJob.class, Job.class.getMethod("run", String.class),
                events.settings(clock), alt -> null))
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Job.run(String): @Retry cannot act on a method returning Stream: its "
                                + "failures arrive after the call has returned (apply the policy where the result "
                                + "is awaited)"));
    }
}
