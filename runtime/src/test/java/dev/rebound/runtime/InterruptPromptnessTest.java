package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Fakes.BlockingTime;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Chaos and soak 4: threads interrupted while waiting between attempts stop promptly, keep their
 * interrupt flag and start no further attempt nor alternative. Nothing really sleeps: the time
 * source blocks until the thread is interrupted.
 */
class InterruptPromptnessTest {

    static final int THREADS = 8;

    public interface Chat {
        String chat(String prompt) throws IOException, InterruptedException;
    }

    /** What one caller thread saw. */
    static final class Caller extends Thread {
        final Chat chat;
        volatile Throwable thrown;
        volatile boolean flagAfter;
        volatile long returnedAt;

        Caller(Chat chat, int i) {
            super("interrupted-caller-" + i);
            this.chat = chat;
        }

        @Override
        public void run() {
            try {
                chat.chat("q");
            } catch (Throwable t) {
                thrown = t;
            }
            returnedAt = System.nanoTime();
            flagAfter = isInterrupted();
        }
    }

    /** One round: 8 callers wait, all are interrupted; returns the slowest stop in milliseconds. */
    private static double round() throws Exception {
        AtomicInteger primaryCalls = new AtomicInteger();
        AtomicInteger backupCalls = new AtomicInteger();
        Chat primary = p -> {
            primaryCalls.incrementAndGet();
            throw new IOException("down");
        };
        Chat backup = p -> {
            backupCalls.incrementAndGet();
            return "backup";
        };
        BlockingTime time = new BlockingTime(THREADS);
        Chat chat = Rebound.wrap(Chat.class, primary)
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofSeconds(10)).build())
                .withFallbacks(backup)
                .settings(ReboundSettings.builder().logging(false).timeSource(time).build()).build();
        Caller[] callers = new Caller[THREADS];
        for (int i = 0; i < THREADS; i++) {
            callers[i] = new Caller(chat, i);
            callers[i].start();
        }
        assertThat(time.sleeping.await(10, TimeUnit.SECONDS)).isTrue();

        long interruptedAt = System.nanoTime();
        for (Caller c : callers) {
            c.interrupt();
        }
        long slowest = 0;
        for (Caller c : callers) {
            c.join(5_000);
            assertThat(c.isAlive()).isFalse();
            assertThat(c.thrown).isInstanceOf(IOException.class).hasMessage("down");
            assertThat(c.flagAfter).isTrue();
            slowest = Math.max(slowest, c.returnedAt - interruptedAt);
        }
        assertThat(primaryCalls.get()).isEqualTo(THREADS);
        assertThat(backupCalls.get()).isZero();
        return slowest / 1e6;
    }

    @Test
    void eightThreadsInterruptedMidWaitStopWithin50MillisecondsKeepTheFlagAndStartNothingMore() throws Exception {
        // three rounds, judged by the best: a loaded 2-core machine may deschedule a thread once
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3 && best >= 50; i++) {
            best = Math.min(best, round());
        }
        System.out.printf("Interrupts: %d threads waiting 10 s stopped within %.1f ms of the interrupt%n",
                THREADS, best);
        assertThat(best).isLessThan(50);
    }

    @Test
    void anInterruptArrivingDuringAnAttemptStopsBeforeTheNextOne() {
        AtomicInteger calls = new AtomicInteger();
        Chat primary = p -> {
            calls.incrementAndGet();
            Thread.currentThread().interrupt(); // as if interrupted while blocked in I/O
            throw new InterruptedIOException("read interrupted");
        };
        AtomicInteger backupCalls = new AtomicInteger();
        Chat backup = p -> {
            backupCalls.incrementAndGet();
            return "backup";
        };
        Chat chat = Rebound.wrap(Chat.class, primary)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build()).withFallbacks(backup)
                .settings(ReboundSettings.builder().logging(false).build()).build();

        try {
            assertThatThrownBy(() -> chat.chat("q")).isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(calls.get()).isEqualTo(1);
        assertThat(backupCalls.get()).isZero();
    }

    @Test
    void anInterruptedExceptionFromTheCallReachesTheCallerWithoutRetryOrFallback() {
        InterruptedException interrupted = new InterruptedException();
        AtomicInteger calls = new AtomicInteger();
        Chat primary = p -> {
            calls.incrementAndGet();
            throw interrupted;
        };
        Chat chat = Rebound.wrap(Chat.class, primary)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO)
                        .retryOn(IOException.class).build())
                .withFallbacks(p -> "backup")
                .settings(ReboundSettings.builder().logging(false).build()).build();

        assertThatThrownBy(() -> chat.chat("q")).isSameAs(interrupted);
        assertThat(calls.get()).isEqualTo(1);
    }

    public interface Models {
        @Retry(attempts = 1)
        @Fallback(to = {SlowBackup.class, LastResort.class})
        String chat(String prompt) throws IOException;
    }

    static final AtomicInteger SLOW_BACKUP_CALLS = new AtomicInteger();
    static final AtomicInteger LAST_RESORT_CALLS = new AtomicInteger();

    public static final class SlowBackup implements Models {
        @Override
        @Retry(attempts = 3, delay = 1_000)
        public String chat(String prompt) throws IOException {
            SLOW_BACKUP_CALLS.incrementAndGet();
            throw new IOException("backup down");
        }
    }

    public static final class LastResort implements Models {
        @Override
        public String chat(String prompt) {
            LAST_RESORT_CALLS.incrementAndGet();
            return "last resort";
        }
    }

    @Test
    void anInterruptWhileAnAlternativeWaitsStopsTheWholeChain() throws Exception {
        IOException primaryFailure = new IOException("primary down");
        Models primary = p -> {
            throw primaryFailure;
        };
        BlockingTime time = new BlockingTime(1);
        Models chat = Rebound.wrap(Models.class, primary)
                .settings(ReboundSettings.builder().logging(false).timeSource(time).build()).build();
        Throwable[] thrown = new Throwable[1];
        boolean[] flag = new boolean[1];
        Thread caller = new Thread(() -> {
            try {
                chat.chat("q");
            } catch (Throwable t) {
                thrown[0] = t;
            }
            flag[0] = Thread.currentThread().isInterrupted();
        });
        caller.start();
        assertThat(time.sleeping.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(5_000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown[0]).isSameAs(primaryFailure);
        assertThat(thrown[0].getSuppressed()).extracting(Throwable::getMessage).containsExactly("backup down");
        assertThat(flag[0]).isTrue();
        assertThat(SLOW_BACKUP_CALLS.get()).isEqualTo(1);
        assertThat(LAST_RESORT_CALLS.get()).isZero();
    }
}
