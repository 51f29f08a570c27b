package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ReboundEvent.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What an outage of the primary costs under each setup, on simulated time (see {@link SimulatedTime}):
 * 40 users each call every 4 s (10 calls/s) for 180 s; the primary answers in 200 ms, except during
 * the outage (60 s to 120 s) when it fails every request after 100 ms; the fallback answers in
 * 500 ms. Retry: 3 attempts, waits 0.5 s then 1 s, no jitter. Breaker: the defaults (window 20,
 * ratio 0.5, 5 s open, 1 probe). Budget: ratio 0.2, 1 retry per second minimum. Prints the tables of
 * docs/reports/reliability.md, and fails when that report shows other rows (the simulation is exactly
 * repeatable: regenerate the report's rows, and its prose, from what this prints):
 * {@code mvn -B -pl runtime -am verify -Dtest=OutageReportTest -Dsurefire.failIfNoSpecifiedTests=false}
 */
class OutageReportTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final int USERS = 40;
    private static final long INTERVAL = 4 * S;
    private static final long END = 180 * S;
    private static final long OUTAGE_START = 60 * S;
    private static final long OUTAGE_END = 120 * S;
    private static final long PRIMARY_LATENCY = 200 * MS;
    private static final long FAILURE_LATENCY = 100 * MS;
    private static final long FALLBACK_LATENCY = 500 * MS;

    private static final RetryPolicy RETRY = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(500))
            .multiplier(2).jitter(false).build();
    private static final RetryPolicy RETRY_WITH_BUDGET = RetryPolicy.builder().attempts(3)
            .delay(Duration.ofMillis(500)).multiplier(2).jitter(false).budgetRatio(0.2).build();
    private static final CircuitBreakerPolicy BREAKER = CircuitBreakerPolicy.builder().build();

    /** One call as a user saw it. */
    private static final class Call {
        final long start;
        final long end;
        final String servedBy;

        Call(long start, long end, String servedBy) {
            this.start = start;
            this.end = end;
            this.servedBy = servedBy;
        }
    }

    /** One run of the scenario. */
    private static final class Run {
        final SimulatedTime time = new SimulatedTime();
        final Events events = new Events();
        final ReboundSettings settings = events.settings(time);
        final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        final List<Long> primaryRequests = Collections.synchronizedList(new ArrayList<>());
        final List<Long> primarySuccesses = Collections.synchronizedList(new ArrayList<>());
        /** Which requests fail while the primary is in trouble, by request number. */
        final Function<Integer, Boolean> failsDuringOutage;

        final Model primary;
        final Model fallback;

        Run(Function<Integer, Boolean> failsDuringOutage) {
            this.failsDuringOutage = failsDuringOutage;
            this.primary = prompt -> {
                long t = time.nanoTime();
                primaryRequests.add(t);
                boolean fails = t >= OUTAGE_START && t < OUTAGE_END && failsDuringOutage.apply(primaryRequests.size());
                time.sleep(fails ? FAILURE_LATENCY : PRIMARY_LATENCY);
                if (fails) {
                    throw Model.outage();
                }
                primarySuccesses.add(time.nanoTime());
                return "primary";
            };
            this.fallback = prompt -> {
                time.sleep(FALLBACK_LATENCY);
                return "fallback";
            };
        }

        void drive(Model service) throws InterruptedException {
            List<Runnable> users = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                long offset = u * INTERVAL / USERS;
                users.add(() -> {
                    for (long arrival = offset; arrival < END; arrival += INTERVAL) {
                        time.sleep(arrival - time.nanoTime());
                        long start = time.nanoTime();
                        String servedBy;
                        try {
                            servedBy = service.chat("q");
                        } catch (RuntimeException e) {
                            servedBy = "error";
                        }
                        calls.add(new Call(start, time.nanoTime(), servedBy));
                    }
                });
            }
            time.run(users);
        }

        long requestsDuringOutage() {
            synchronized (primaryRequests) {
                return primaryRequests.stream().filter(t -> t >= OUTAGE_START && t < OUTAGE_END).count();
            }
        }

        List<Call> callsDuringOutage() {
            synchronized (calls) {
                List<Call> out = new ArrayList<>();
                for (Call c : calls) {
                    if (c.start >= OUTAGE_START && c.start < OUTAGE_END) {
                        out.add(c);
                    }
                }
                return out;
            }
        }

        /**
         * Per call of the outage, sorted: virtual ms beyond the latency of whoever answered (the
         * primary's 200 ms or the fallback's 500 ms), i.e. spent on failed attempts and waits.
         */
        long[] addedLatencyMs() {
            return callsDuringOutage().stream()
                    .mapToLong(c -> (c.end - c.start - ownLatency(c.servedBy)) / MS).sorted().toArray();
        }

        private static long ownLatency(String servedBy) {
            return servedBy.equals("primary") ? PRIMARY_LATENCY : servedBy.equals("fallback") ? FALLBACK_LATENCY : 0;
        }

        /** From the end of the outage to the first success of the primary, in ms. */
        long recoveryMs() {
            synchronized (primarySuccesses) {
                return primarySuccesses.stream().filter(t -> t >= OUTAGE_END).mapToLong(t -> (t - OUTAGE_END) / MS)
                        .min().orElse(-1);
            }
        }

        long fellBack() {
            return callsDuringOutage().stream().filter(c -> c.servedBy.equals("fallback")).count();
        }

        long opened() {
            return events.of(Kind.CIRCUIT_OPENED).size();
        }
    }

    private static String row(String setup, Run run) {
        long[] added = run.addedLatencyMs();
        double mean = java.util.Arrays.stream(added).average().orElse(0);
        int outageCalls = added.length;
        return String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %d | %.0f | %d | %d | %d | %d |", setup,
                outageCalls, run.requestsDuringOutage(), (double) run.requestsDuringOutage() / outageCalls,
                run.fellBack(), mean, added[outageCalls / 2], added[outageCalls - 1], run.recoveryMs(), run.opened());
    }

    private static final String HEADER =
            "| setup | calls in outage | requests to dead primary | per call | fell back | added latency mean (ms)"
            + " | p50 | max | recovery (ms) | breaker openings |\n"
            + "|---|---|---|---|---|---|---|---|---|---|";

    private static Run retryOnly(Function<Integer, Boolean> fails) throws InterruptedException {
        Run run = new Run(fails);
        run.drive(Rebound.wrap(Model.class, run.primary).withRetry(RETRY).withFallbacks(run.fallback)
                .settings(run.settings).build());
        return run;
    }

    private static Run retryAndBreaker(Function<Integer, Boolean> fails, RetryPolicy retry)
            throws InterruptedException {
        Run run = new Run(fails);
        run.drive(Rebound.wrap(Model.class, run.primary).withRetry(retry).withCircuitBreaker(BREAKER)
                .withFallbacks(run.fallback).settings(run.settings).build());
        return run;
    }

    /** The other order, Fallback(CircuitBreaker(Retry(call))), built by wrapping a retrying wrapper. */
    private static Run breakerOutsideRetry(Function<Integer, Boolean> fails) throws InterruptedException {
        Run run = new Run(fails);
        Model retrying = Rebound.wrap(Model.class, run.primary).withRetry(RETRY).settings(run.settings).build();
        run.drive(Rebound.wrap(Model.class, retrying).withCircuitBreaker(BREAKER).withFallbacks(run.fallback)
                .settings(run.settings).build());
        return run;
    }

    @Test
    void hardOutage() throws InterruptedException {
        Function<Integer, Boolean> always = n -> true;
        Run retryOnly = retryOnly(always);
        Run breaker = retryAndBreaker(always, RETRY);
        Run budget = retryAndBreaker(always, RETRY_WITH_BUDGET);
        Run otherOrder = breakerOutsideRetry(always);

        System.out.println("\nHard outage: the primary fails every request from 60 s to 120 s\n" + HEADER);
        System.out.println(row("retry only", retryOnly));
        System.out.println(row("retry + breaker", breaker));
        System.out.println(row("retry + breaker + budget", budget));
        System.out.println(row("breaker outside retry (not chosen)", otherOrder));

        // retry only: three requests per call (but for the calls whose retries outlive the outage),
        // and the full backoff on nearly every call
        assertThat(retryOnly.requestsDuringOutage()).isGreaterThan(29L * retryOnly.callsDuringOutage().size() / 10);
        long[] waited = retryOnly.addedLatencyMs();
        assertThat(waited[waited.length / 2]).isEqualTo(1800);
        // the breaker: at most the window plus one probe per opening reach the dead primary, and most
        // calls take no longer than the fallback itself
        for (Run r : List.of(breaker, budget)) {
            assertThat(r.requestsDuringOutage()).isLessThanOrEqualTo(20 + r.opened());
            long[] added = r.addedLatencyMs();
            assertThat(added[added.length / 2]).isZero();
        }
        // the chosen order sends fewer requests to the dead primary than the other one
        assertThat(breaker.requestsDuringOutage()).isLessThan(otherOrder.requestsDuringOutage());
        // and the simulation is exactly repeatable
        assertThat(row("again", retryAndBreaker(always, RETRY))).isEqualTo(row("again", breaker));
        assertThat(List.of(row("retry only", retryOnly), row("retry + breaker", breaker),
                row("retry + breaker + budget", budget), row("breaker outside retry (not chosen)", otherOrder)))
                .as("the hard outage's rows in " + REPORT).containsExactlyElementsOf(documentedRows("Hard outage:"));
    }

    @Test
    void brownout() throws InterruptedException {
        // 2 requests in 5 fail while the primary is in trouble: below the breaker's ratio of 0.5
        Function<Integer, Boolean> twoInFive = n -> n % 5 < 2;
        Run retryOnly = retryOnly(twoInFive);
        Run breaker = retryAndBreaker(twoInFive, RETRY);
        Run budget = retryAndBreaker(twoInFive, RETRY_WITH_BUDGET);

        System.out.println("\nBrownout: 2 requests in 5 fail from 60 s to 120 s\n" + HEADER.replace(
                "requests to dead primary", "requests to primary"));
        System.out.println(row("retry only", retryOnly));
        System.out.println(row("retry + breaker", breaker));
        System.out.println(row("retry + breaker + budget", budget));

        assertThat(breaker.opened()).isZero();
        assertThat(budget.requestsDuringOutage()).isLessThan(breaker.requestsDuringOutage());
        // retries stay within 20% of the calls plus 1 per second of the 60 s
        long retries = budget.requestsDuringOutage() - budget.callsDuringOutage().size();
        assertThat(retries).isLessThanOrEqualTo(budget.callsDuringOutage().size() / 5 + 60);
        assertThat(List.of(row("retry only", retryOnly), row("retry + breaker", breaker),
                row("retry + breaker + budget", budget)))
                .as("the brownout's rows in " + REPORT).containsExactlyElementsOf(documentedRows("Brownout:"));
    }

    /** The report that shows these figures, from the runtime module's directory. */
    private static final Path REPORT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .resolveSibling("docs/reports/reliability.md");

    /** The rows of the report's table under its line that starts with {@code title}, header and rule left out. */
    private static List<String> documentedRows(String title) {
        List<String> doc;
        try {
            doc = Files.readAllLines(REPORT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> rows = new ArrayList<>();
        int i = 0;
        while (!doc.get(i).startsWith(title)) {
            i++;
        }
        for (i++; i < doc.size() && (rows.isEmpty() || doc.get(i).startsWith("|")); i++) {
            String line = doc.get(i);
            if (line.startsWith("| ") && !line.startsWith("| setup |")) {
                rows.add(line);
            }
        }
        return rows;
    }
}
