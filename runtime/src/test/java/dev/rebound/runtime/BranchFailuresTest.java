package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * What Parallel and Batch take out of a branch's or an input's failure (Branches.failure): the JDK's own
 * ExecutionException and CompletionException that carry nothing of their own, exactly; never a user's
 * subclass, never a wrapper that carries a nested run's history, never past a cause that cannot be read.
 */
class BranchFailuresTest {

    /**
     * An inner Parallel whose two branches both fail with a checked exception before it looks, each on its
     * own thread, the second ending after the first; a third branch, run in place, holds the caller until
     * they have ended (stopped when the first fails, it ignores that).
     */
    static List<String> innerParallel(IOException a, IOException b) {
        CountDownLatch othersStarted = new CountDownLatch(2);
        CountDownLatch[] ended = {new CountDownLatch(1), new CountDownLatch(1)};
        return Parallel.invokeAll(ParallelTest.threadsThenInPlace(ended), List.<Callable<String>>of(
                () -> {
                    othersStarted.await();
                    throw a;
                },
                () -> {
                    othersStarted.countDown();
                    ended[0].await();
                    throw b;
                },
                () -> {
                    othersStarted.countDown();
                    ParallelTest.awaitIgnoringInterrupts(ended);
                    return "c";
                }));
    }

    /** The inner run alone: its first failure, the other one suppressed. */
    @Test
    void theInnerParallelAloneReportsBothFailures() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");

        Throwable direct = catchThrowable(() -> innerParallel(a, b));

        assertThat(direct).isInstanceOf(CompletionException.class).hasCause(a);
        assertThat(direct.getSuppressed()).containsExactly(b);
    }

    @Test
    void aBatchInputRunningAParallelKeepsBothBranchesFailures() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");

        List<Batch.Result<List<String>>> results = Batch.map(List.of("x"), 1, x -> innerParallel(a, b));

        Throwable failure = results.get(0).failure();
        // what the input threw: the inner run's own exception, its history on it
        assertThat(failure).isInstanceOf(CompletionException.class).hasCause(a);
        assertThat(failure.getSuppressed()).containsExactly(b);
    }

    @Test
    void anOuterParallelOverAnInnerOneKeepsBothInnerFailures() {
        IOException a = new IOException("a");
        IOException b = new IOException("b");

        Throwable nested = catchThrowable(() -> Parallel.invokeAll(List.<Callable<List<String>>>of(
                () -> innerParallel(a, b))));

        List<Throwable> history = new ArrayList<>(List.of(nested.getSuppressed()));
        if (nested.getCause() != null) {
            history.addAll(List.of(nested.getCause().getSuppressed()));
        }
        assertThat("thrown=" + nested.getClass().getSimpleName() + " cause=" + nested.getCause() + " history="
                + history).isEqualTo("thrown=CompletionException cause=" + a + " history=[" + b + "]");
    }

    /** A user's own checked exception that happens to extend ExecutionException, thrown on purpose. */
    static final class JobFailed extends java.util.concurrent.ExecutionException {
        JobFailed(String m, Throwable cause) {
            super(m, cause);
        }
    }

    @Test
    void aBranchsOwnCheckedExceptionExtendingExecutionExceptionArrivesAsTheCauseOfACompletionException() {
        IOException io = new IOException("disk");
        JobFailed jobFailed = new JobFailed("job 7", io);

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(List.<Callable<String>>of(() -> {
            throw jobFailed;
        })));

        assertThat("thrown=" + thrown.getClass().getSimpleName() + " cause=" + thrown.getCause())
                .isEqualTo("thrown=CompletionException cause=" + jobFailed);
    }

    @Test
    void aBatchInputsOwnExecutionExceptionSubclassIsItsFailure() {
        IOException io = new IOException("disk");
        JobFailed jobFailed = new JobFailed("job 7", io);

        List<Batch.Result<String>> results = Batch.map(List.of("x"), 1, x -> {
            throw jobFailed;
        });

        assertThat(String.valueOf(results.get(0).failure())).isEqualTo(String.valueOf(jobFailed));
    }

    /** A checked exception of the user's, an ExecutionException whose getCause() throws (cause11's case). */
    static final class BrokenJob extends java.util.concurrent.ExecutionException {
        BrokenJob(String m) {
            super(m, null);
        }

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("getCause broke");
        }
    }

    @Test
    void aBatchInputFailingWithAnExecutionExceptionWhoseGetCauseThrowsIsThatFailure() {
        BrokenJob broken = new BrokenJob("job 7");

        List<Batch.Result<String>> results = Batch.map(List.of("x"), 1, x -> {
            throw broken;
        });

        Batch.Result<String> r = results.get(0);
        Throwable f = r.failure();
        assertThat("success=" + r.isSuccess() + " failure=" + (f == broken ? "broken" : f == null ? "null"
                : f.getClass().getName() + ": " + f.getMessage()))
                .isEqualTo("success=false failure=broken");
    }

    @Test
    void aParallelBranchFailingWithAnExecutionExceptionWhoseGetCauseThrowsReportsThatFailure() {
        BrokenJob broken = new BrokenJob("job 7");

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(List.<Callable<String>>of(() -> {
            throw broken;
        })));

        assertThat(thrown.getClass().getSimpleName() + ": " + thrown.getMessage())
                .isEqualTo("CompletionException: a branch failed with " + BrokenJob.class.getName());
    }
}
