package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.modelserver.ServedRequest;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chaos and soak 2: the real langchain4j OpenAI client against the embedded model server, 4
 * threads, 2,400 calls, each with a random (seeded) script of 429 with Retry-After, 500, 503,
 * dropped connections, malformed bodies and answers too slow for the client's timeout. The policy:
 * gpt-4 3 attempts (100 ms doubling, no jitter, virtual clock), then gpt-3.5-turbo once.
 *
 * <p>Every call is checked against its own script: its answer or exception, the requests each model
 * received for it (the server's log), the waits chosen (a 429's Retry-After is honoured), and every
 * failure seen is the documented exception of the fault served.
 */
class HttpChaosTest {

    static final int THREADS = 4;
    static final int CALLS = 2_400;
    static final int ATTEMPTS = 3;
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2); // roomy: a loaded machine must not turn a fault into a timeout
    static final Duration MAX_DELAY = Duration.ofSeconds(10);

    @RegisterExtension
    static final ModelServerExtension models = LoopbackModels.warmedUp(new ModelServerExtension());
    private static final ModelServer server = models.server();

    /** A fault kind as the test draws it; one slow answer in every 300 calls, as timeouts cost real time. */
    enum Kind {
        RATE_LIMITED, SERVER_ERROR, UNAVAILABLE, DROPPED, MALFORMED, SLOW
    }

    /** One call's scripted steps for gpt-4 and gpt-3.5 (null = answer), and what the policy must do. */
    static final class Plan {
        final String prompt;
        final List<Kind> gpt4 = new ArrayList<>();
        final List<Duration> retryAfter = new ArrayList<>();
        Kind gpt35;

        Plan(int i, SplittableRandom random) {
            prompt = "chaos question <" + i + ">";
            for (int a = 0; a < ATTEMPTS && random.nextInt(100) < 45; a++) {
                Kind k = a == 0 && i % 300 == 7 ? Kind.SLOW : Kind.values()[random.nextInt(5)];
                gpt4.add(k);
                retryAfter.add(Duration.ofMillis(50 + random.nextInt(40) * 50L)); // 50 ms .. 2 s
            }
            gpt35 = random.nextInt(100) < 30 ? Kind.values()[1 + random.nextInt(3)] : null; // 500, 503, dropped
        }

        Fault fault(Kind k, int step) {
            switch (k) {
                case RATE_LIMITED:
                    return Fault.rateLimited(retryAfter.get(step));
                case SERVER_ERROR:
                    return Fault.serverError();
                case UNAVAILABLE:
                    return Fault.unavailable();
                case DROPPED:
                    return Fault.dropConnection();
                case MALFORMED:
                    return Fault.malformedBody();
                default:
                    return Fault.slowAnswer(CLIENT_TIMEOUT.plusMillis(300));
            }
        }

        boolean gpt4Answers() {
            return gpt4.size() < ATTEMPTS;
        }

        int gpt4Requests() {
            return Math.min(gpt4.size() + 1, ATTEMPTS);
        }

        int gpt35Requests() {
            return gpt4Answers() ? 0 : 1;
        }

        /** The waits before attempts 2.. on gpt-4: the backoff, or a longer Retry-After (all within MAX_DELAY). */
        List<Duration> waits() {
            List<Duration> waits = new ArrayList<>();
            for (int a = 0; a < Math.min(gpt4.size(), ATTEMPTS - 1); a++) {
                Duration backoff = Duration.ofMillis(100L << a);
                Duration hint = gpt4.get(a) == Kind.RATE_LIMITED ? retryAfter.get(a) : Duration.ZERO;
                waits.add(hint.compareTo(backoff) > 0 ? (hint.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : hint) : backoff);
            }
            return waits;
        }
    }

    /** Whether {@code failure} is what langchain4j documents for {@code kind}. */
    static boolean documented(Kind kind, Throwable failure) {
        switch (kind) {
            case RATE_LIMITED:
                return failure instanceof RateLimitException;
            case SERVER_ERROR:
            case UNAVAILABLE:
                return failure instanceof InternalServerException;
            case SLOW:
                return failure instanceof TimeoutException;
            case DROPPED:
                return rootCause(failure) instanceof IOException;
            default:
                return failure.getCause() instanceof JsonProcessingException;
        }
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** Events of the call running on this thread. */
    static final ThreadLocal<List<ReboundEvent>> EVENTS = ThreadLocal.withInitial(ArrayList::new);

    /** One worker's tally of outcomes and mismatches. */
    static final class Tally {
        int gpt4First;
        int gpt4AfterRetry;
        int gpt35;
        int failed;
        int retryAfterWaits;
        final List<String> mismatches = new ArrayList<>();
        final Map<String, Integer> exceptions = new TreeMap<>();

        void add(Tally o) {
            gpt4First += o.gpt4First;
            gpt4AfterRetry += o.gpt4AfterRetry;
            gpt35 += o.gpt35;
            failed += o.failed;
            retryAfterWaits += o.retryAfterWaits;
            mismatches.addAll(o.mismatches);
            o.exceptions.forEach((k, v) -> exceptions.merge(k, v, Integer::sum));
        }
    }

    static Tally run(ChatModel model, List<Plan> plans) {
        Tally t = new Tally();
        for (Plan p : plans) {
            List<ReboundEvent> events = EVENTS.get();
            events.clear();
            RetryAfter.clear();
            String answer = null;
            Throwable thrown = null;
            try {
                answer = model.chat(p.prompt);
            } catch (RuntimeException e) {
                thrown = e;
            }
            check(t, p, answer, thrown, events);
        }
        return t;
    }

    static void check(Tally t, Plan p, String answer, Throwable thrown, List<ReboundEvent> events) {
        List<Throwable> failures = new ArrayList<>();
        List<Duration> waits = new ArrayList<>();
        for (ReboundEvent e : events) {
            if (e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED) {
                failures.add(e.failure());
            } else if (e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED) {
                waits.add(e.waitTime());
                t.retryAfterWaits += "retry-after".equals(e.reason()) ? 1 : 0;
            }
        }
        if (!waits.equals(p.waits())) {
            t.mismatches.add(p.prompt + ": waits " + waits + ", expected " + p.waits());
        }
        List<Kind> served = new ArrayList<>(p.gpt4.subList(0, Math.min(p.gpt4.size(), ATTEMPTS)));
        if (!p.gpt4Answers() && p.gpt35 != null) {
            served.add(p.gpt35);
        }
        if (failures.size() != served.size()) {
            t.mismatches.add(p.prompt + ": " + failures.size() + " failed attempts, expected " + served);
            return;
        }
        for (int i = 0; i < served.size(); i++) {
            if (!documented(served.get(i), failures.get(i))) {
                t.mismatches.add(p.prompt + ": attempt " + (i + 1) + " failed with " + failures.get(i).getClass()
                        + " for " + served.get(i));
            }
        }
        if (p.gpt4Answers()) {
            expectAnswer(t, p, answer, thrown, "gpt-4");
            if (p.gpt4.isEmpty()) {
                t.gpt4First++;
            } else {
                t.gpt4AfterRetry++;
            }
        } else if (p.gpt35 == null) {
            expectAnswer(t, p, answer, thrown, "gpt-3.5-turbo");
            t.gpt35++;
        } else {
            t.failed++;
            if (thrown != failures.get(ATTEMPTS - 1)) {
                t.mismatches.add(p.prompt + ": threw " + thrown + ", expected gpt-4's last failure");
            } else if (thrown.getSuppressed().length != ATTEMPTS) {
                t.mismatches.add(p.prompt + ": " + thrown.getSuppressed().length + " suppressed, expected 3");
            }
            t.exceptions.merge(thrown.getClass().getSimpleName(), 1, Integer::sum);
        }
    }

    static void expectAnswer(Tally t, Plan p, String answer, Throwable thrown, String model) {
        if (thrown != null || !ModelServer.answerFor(model, p.prompt).equals(answer)) {
            t.mismatches.add(p.prompt + ": " + (thrown != null ? "threw " + thrown.getClass() : "wrong answer")
                    + ", expected " + model + "'s answer");
        }
    }

    @Test
    void fourThreadsOfChaoticHttpAgreeWithTheServersRequestLog() throws Exception {
        SplittableRandom random = new SplittableRandom(20_261_125L);
        List<Plan> plans = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            Plan p = new Plan(i, random);
            List<Fault> gpt4 = new ArrayList<>();
            for (int s = 0; s < p.gpt4.size(); s++) {
                gpt4.add(p.fault(p.gpt4.get(s), s));
            }
            server.scriptForPrompt("gpt-4", p.prompt, gpt4.toArray(new Fault[0]));
            if (p.gpt35 != null) {
                server.scriptForPrompt("gpt-3.5-turbo", p.prompt, p.fault(p.gpt35, 0));
            }
            plans.add(p);
        }
        VirtualTimeSource clock = new VirtualTimeSource();
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                .listener(e -> EVENTS.get().add(e)).build();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4", CLIENT_TIMEOUT))
                .withRetry(RetryPolicy.builder().attempts(ATTEMPTS).delay(Duration.ofMillis(100))
                        .maxDelay(MAX_DELAY).jitter(false).build())
                .withFallbacks(openAi(server, "gpt-3.5-turbo", CLIENT_TIMEOUT))
                .settings(settings).build();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long started = System.nanoTime();

        List<Future<Tally>> parts = new ArrayList<>();
        for (int w = 0; w < THREADS; w++) {
            List<Plan> share = plans.subList(w * CALLS / THREADS, (w + 1) * CALLS / THREADS);
            parts.add(pool.submit(() -> run(model, share)));
        }
        Tally total = new Tally();
        for (Future<Tally> part : parts) {
            total.add(part.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        Map<String, Integer> requestsPerCall = new HashMap<>();
        Map<Fault.Kind, Integer> faults = new EnumMap<>(Fault.Kind.class);
        int rateLimited = 0;
        for (ServedRequest r : server.log()) {
            requestsPerCall.merge(r.model() + " " + r.promptDigest(), 1, Integer::sum);
            faults.merge(r.fault().kind(), 1, Integer::sum);
            rateLimited += r.fault().status() == 429 ? 1 : 0;
        }
        int gpt4Requests = 0;
        int gpt35Requests = 0;
        for (Plan p : plans) {
            String digest = ModelServer.digest(p.prompt);
            int four = requestsPerCall.getOrDefault("gpt-4 " + digest, 0);
            int threeFive = requestsPerCall.getOrDefault("gpt-3.5-turbo " + digest, 0);
            if (four != p.gpt4Requests() || threeFive != p.gpt35Requests()) {
                total.mismatches.add(p.prompt + ": the server saw " + four + " + " + threeFive + " requests, expected "
                        + p.gpt4Requests() + " + " + p.gpt35Requests());
            }
            gpt4Requests += four;
            gpt35Requests += threeFive;
        }
        System.out.printf("HTTP chaos: %d calls on %d threads in %d ms; %d requests to gpt-4 and %d to gpt-3.5-turbo;"
                + " served %s, of which %d were 429 (%d Retry-After waits taken); outcomes: %d gpt-4 first try,"
                + " %d gpt-4 after retry, %d gpt-3.5-turbo, %d failed %s%n", CALLS, THREADS, millis, gpt4Requests,
                gpt35Requests, faults, rateLimited, total.retryAfterWaits, total.gpt4First, total.gpt4AfterRetry,
                total.gpt35, total.failed, total.exceptions);

        assertThat(total.mismatches).isEmpty();
        assertThat(total.gpt4First + total.gpt4AfterRetry + total.gpt35 + total.failed).isEqualTo(CALLS);
        assertThat(server.log()).hasSize(gpt4Requests + gpt35Requests);
        assertThat(faults).containsKeys(Fault.Kind.STATUS, Fault.Kind.DROP_CONNECTION, Fault.Kind.MALFORMED_BODY,
                Fault.Kind.SLOW_ANSWER);
        assertThat(total.retryAfterWaits).isPositive();
        assertThat(total.failed).isPositive();
    }
}
