package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.metrics.MicrometerListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Chaos and soak 1: 8 threads, 200,000 calls on one resilient instance, against a dependency that
 * fails transiently at random (seeded, 30% of attempts), deterministically for some inputs and
 * slowly for others. Every call's outcome, attempt counts and suppressed history are checked
 * against a model of the policy; the engine's own books (via {@link MicrometerListener}) must agree
 * with the callers'; no thread stays behind and no memory is kept per call.
 */
class EngineSoakTest {

    static final int THREADS = 8;
    static final int CALLS = 200_000;
    static final long SEED = 0x5EEDL;
    static final int TRANSIENT_PERCENT = 30;
    static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(3);

    /** The dependency: @Retry 4 attempts within 5 s, then the Backup (2 attempts of its own). */
    public interface Dependency {
        @Retry(attempts = 4, delay = 200, multiplier = 2, maxDuration = 5_000)
        @Fallback(to = Backup.class)
        String call(int input) throws IOException;
    }

    /** Fails deterministically (not retryable) for inputs = 7 mod 50; slow (3 s) for inputs = 3 mod 40. */
    public static final class Primary implements Dependency {
        @Override
        public String call(int input) throws IOException {
            int attempt = ++Books.get().primaryAttempts;
            if (slow(input)) {
                CLOCK.get()[0] += SLOW_NANOS;
            }
            if (primaryBroken(input)) {
                throw new Deterministic("P" + attempt);
            }
            if (transientFailure(input, attempt, 'P')) {
                throw new Transient("P" + attempt);
            }
            return "P";
        }
    }

    /** Fails deterministically (not retryable) for inputs = 5 mod 97. */
    public static final class Backup implements Dependency {
        @Override
        @Retry(attempts = 2, delay = 100)
        public String call(int input) throws IOException {
            int attempt = ++Books.get().backupAttempts;
            if (backupBroken(input)) {
                throw new BackupBroken("B" + attempt);
            }
            if (transientFailure(input, attempt, 'B')) {
                throw new Transient("B" + attempt);
            }
            return "B";
        }
    }

    static boolean slow(int input) {
        return input % 40 == 3;
    }

    static boolean primaryBroken(int input) {
        return input % 50 == 7;
    }

    static boolean backupBroken(int input) {
        return input % 97 == 5;
    }

    /** A seeded hash of (input, attempt, target): the same answer whatever the thread interleaving. */
    static boolean transientFailure(int input, int attempt, char target) {
        long h = SEED ^ input * 0x9E3779B97F4A7C15L ^ attempt * 0xC2B2AE3D27D4EB4FL ^ target * 0x165667B19E3779F9L;
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return Long.remainderUnsigned(h, 100) < TRANSIENT_PERCENT;
    }

    /** Failures that know which attempt threw them. */
    interface Scripted {
        default String id() {
            return ((Throwable) this).getMessage();
        }
    }

    static final class Transient extends IOException implements Scripted {
        Transient(String id) {
            super(id);
        }
    }

    static final class Deterministic extends IllegalArgumentException implements Scripted {
        Deterministic(String id) {
            super(id);
        }
    }

    static final class BackupBroken extends UnsupportedOperationException implements Scripted {
        BackupBroken(String id) {
            super(id);
        }
    }

    /** Each worker's virtual clock: a slow call on one thread moves no other thread's deadline. */
    static final ThreadLocal<long[]> CLOCK = ThreadLocal.withInitial(() -> new long[] {1L});

    static final TimeSource PER_THREAD_CLOCK = new TimeSource() {
        @Override
        public long nanoTime() {
            return CLOCK.get()[0];
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            CLOCK.get()[0] += nanos;
        }
    };

    /** The attempts of the current call on this thread. */
    static final class Books {
        private static final ThreadLocal<Books> CURRENT = ThreadLocal.withInitial(Books::new);
        int primaryAttempts;
        int backupAttempts;

        static Books get() {
            return CURRENT.get();
        }
    }

    /** What the policy must do with one input: derived from the script alone. */
    static final class Expected {
        final List<String> failures = new ArrayList<>(6);
        String answer;
        int primaryAttempts;
        int backupAttempts;

        Expected(int input) {
            int maxPrimary = slow(input) ? 2 : 4; // 3 s + 0.1..0.2 s wait + 3 s passes the 5 s deadline
            for (int a = 1; a <= maxPrimary && answer == null; a++) {
                primaryAttempts = a;
                if (primaryBroken(input)) {
                    failures.add("P" + a);
                    break;
                }
                if (transientFailure(input, a, 'P')) {
                    failures.add("P" + a);
                } else {
                    answer = "P";
                }
            }
            for (int b = 1; b <= 2 && answer == null; b++) {
                backupAttempts = b;
                if (backupBroken(input)) {
                    failures.add("B" + b);
                    break;
                }
                if (transientFailure(input, b, 'B')) {
                    failures.add("B" + b);
                } else {
                    answer = "B";
                }
            }
        }
    }

    /** One worker's tally. */
    static final class Tally {
        long success;
        long successAfterRetry;
        long fallback;
        long failure;
        long attempts;
        long slowCalls;
        long deterministicFailures;
        long transientFailures;
        int maxPrimaryAttempts;
        int maxBackupAttempts;
        long mismatches;
        String firstMismatch;

        void add(Tally o) {
            success += o.success;
            successAfterRetry += o.successAfterRetry;
            fallback += o.fallback;
            failure += o.failure;
            attempts += o.attempts;
            slowCalls += o.slowCalls;
            deterministicFailures += o.deterministicFailures;
            transientFailures += o.transientFailures;
            maxPrimaryAttempts = Math.max(maxPrimaryAttempts, o.maxPrimaryAttempts);
            maxBackupAttempts = Math.max(maxBackupAttempts, o.maxBackupAttempts);
            mismatches += o.mismatches;
            if (firstMismatch == null) {
                firstMismatch = o.firstMismatch;
            }
        }

        long calls() {
            return success + successAfterRetry + fallback + failure;
        }

        void mismatch(int input, String what) {
            if (mismatches++ == 0) {
                firstMismatch = "input " + input + ": " + what;
            }
        }
    }

    static Tally run(Dependency dependency, int from, int to) {
        Tally t = new Tally();
        Books books = Books.get();
        for (int input = from; input < to; input++) {
            books.primaryAttempts = 0;
            books.backupAttempts = 0;
            Expected expected = new Expected(input);
            String answer = null;
            Throwable thrown = null;
            try {
                answer = dependency.call(input);
            } catch (Throwable e) {
                thrown = e;
            }
            int p = books.primaryAttempts;
            int b = books.backupAttempts;
            t.attempts += p + b;
            t.maxPrimaryAttempts = Math.max(t.maxPrimaryAttempts, p);
            t.maxBackupAttempts = Math.max(t.maxBackupAttempts, b);
            t.slowCalls += slow(input) ? 1 : 0;
            t.deterministicFailures += (primaryBroken(input) ? p : 0) + (backupBroken(input) ? b : 0);
            t.transientFailures += expected.failures.size() - (primaryBroken(input) ? p : 0)
                    - (backupBroken(input) ? b : 0);
            if (p != expected.primaryAttempts || b != expected.backupAttempts) {
                t.mismatch(input, "attempts " + p + "+" + b + ", expected " + expected.primaryAttempts + "+"
                        + expected.backupAttempts);
            }
            if (thrown == null) {
                if (!answer.equals(expected.answer)) {
                    t.mismatch(input, "answer " + answer + ", expected " + expected.answer);
                }
                if (answer.equals("B")) {
                    t.fallback++;
                } else if (p > 1) {
                    t.successAfterRetry++;
                } else {
                    t.success++;
                }
            } else {
                t.failure++;
                checkFailure(t, input, expected, thrown);
            }
        }
        return t;
    }

    /** The caller gets the primary's last failure, with every other attempt's failure suppressed, in order. */
    static void checkFailure(Tally t, int input, Expected expected, Throwable thrown) {
        if (expected.answer != null || !(thrown instanceof Scripted)) {
            t.mismatch(input, "unexpected " + thrown.getClass().getName());
            return;
        }
        String primaryLast = "P" + expected.primaryAttempts;
        if (!((Scripted) thrown).id().equals(primaryLast)) {
            t.mismatch(input, "threw " + ((Scripted) thrown).id() + ", expected " + primaryLast);
        }
        List<String> history = new ArrayList<>(expected.failures);
        history.remove(primaryLast);
        Throwable[] suppressed = thrown.getSuppressed();
        List<String> actual = new ArrayList<>(suppressed.length);
        for (Throwable s : suppressed) {
            actual.add(s instanceof Scripted ? ((Scripted) s).id() : s.getClass().getName());
        }
        if (!actual.equals(history)) {
            t.mismatch(input, "suppressed " + actual + ", expected " + history);
        }
    }

    static Tally runOnThreads(Dependency dependency, int calls, List<Thread> workers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread w = new Thread(r, "soak-" + workers.size());
            workers.add(w);
            return w;
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Tally>> parts = new ArrayList<>();
        int share = calls / THREADS;
        for (int i = 0; i < THREADS; i++) {
            int from = i * share;
            parts.add(pool.submit(() -> {
                start.await();
                return run(dependency, from, from + share);
            }));
        }
        start.countDown();
        Tally total = new Tally();
        for (Future<Tally> part : parts) {
            total.add(part.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        for (Thread w : workers) {
            w.join(10_000);
        }
        return total;
    }

    static long usedHeapAfterFullGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    @Test
    void twoHundredThousandCallsOnEightThreadsBalanceTheBooksAndLeaveNothingBehind() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Dependency dependency = Rebound.wrap(Dependency.class, (Dependency) new Primary())
                .settings(ReboundSettings.builder().logging(false).timeSource(PER_THREAD_CLOCK)
                        .listener(new MicrometerListener(registry)).build())
                .build();
        Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        List<Thread> workers = Collections.synchronizedList(new ArrayList<>());
        // warm-up: every lazy structure (meters, classes, JIT) exists before the heap is measured
        Tally warmUp = runOnThreads(dependency, 16_000, workers);
        long heapBefore = usedHeapAfterFullGc();
        long started = System.nanoTime();

        Tally soak = runOnThreads(dependency, CALLS, workers);

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long heapAfter = usedHeapAfterFullGc();
        Set<Thread> leftBehind = new HashSet<>(Thread.getAllStackTraces().keySet());
        leftBehind.removeAll(threadsBefore);
        System.out.printf("Soak: %d calls on %d threads in %d ms: %d success, %d success after retry, %d fallback,"
                + " %d failure; %d attempts, %d transient + %d deterministic faults injected, %d slow calls;"
                + " heap %+d KB after full GC%n", soak.calls(), THREADS, millis, soak.success,
                soak.successAfterRetry, soak.fallback, soak.failure, soak.attempts, soak.transientFailures,
                soak.deterministicFailures, soak.slowCalls, (heapAfter - heapBefore) / 1024);

        assertThat(soak.firstMismatch).isNull();
        assertThat(soak.mismatches).isZero();
        assertThat(soak.calls()).isEqualTo(CALLS);
        assertThat(soak.success).isPositive();
        assertThat(soak.successAfterRetry).isPositive();
        assertThat(soak.fallback).isPositive();
        assertThat(soak.failure).isPositive();
        assertThat(soak.maxPrimaryAttempts).isEqualTo(4);
        assertThat(soak.maxBackupAttempts).isEqualTo(2);
        Tally both = new Tally();
        both.add(warmUp);
        both.add(soak);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "success").counter().count())
                .isEqualTo(both.success);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "success_after_retry").counter().count())
                .isEqualTo(both.successAfterRetry);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "fallback").counter().count())
                .isEqualTo(both.fallback);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "failure").counter().count())
                .isEqualTo(both.failure);
        // one counter per target: the primary's and the backup's attempts add up
        assertThat(registry.get(MicrometerListener.ATTEMPTS).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum()).isEqualTo(both.attempts);
        assertThat(registry.get(MicrometerListener.DURATION).timer().count()).isEqualTo(both.calls());
        assertThat(workers).hasSize(2 * THREADS).noneMatch(Thread::isAlive);
        assertThat(leftBehind).isEmpty();
        assertThat(heapAfter - heapBefore).isLessThan(2L * 1024 * 1024); // 10 bytes a call would be 2 MB
    }
}
