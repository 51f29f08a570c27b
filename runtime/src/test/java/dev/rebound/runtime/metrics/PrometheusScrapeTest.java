package dev.rebound.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Rebound's meters and observation timers in a real Prometheus registry (Micrometer's, the monitoring
 * system most users scrape): every meter metrics.md and observability.md name reaches the scrape with the
 * tags they list. Prometheus wants one set of tag keys per meter name, and Micrometer drops (or refuses)
 * a meter that breaks that: a retry no dashboard shows is a policy silently invisible. The observation
 * timers' tag keys differ by outcome (observability.md); this registry keeps them all.
 */
class PrometheusScrapeTest {

    public interface PromChat {
        String chat(String prompt) throws IOException;
    }

    public interface PromAsync {
        CompletionStage<String> chat(String prompt);
    }

    /** "ok": answers; "flaky-*": fails once per prompt, then answers; "hang": hangs 60 s once; else fails. */
    final class Primary implements PromChat {
        final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

        @Override
        public String chat(String prompt) throws IOException {
            if (prompt.equals("hang") && failedOnce.add(prompt)) {
                try {
                    time.sleep(Duration.ofSeconds(60).toNanos());
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException(); // as an HTTP client cut by the interrupt
                }
                return "late";
            }
            if (prompt.equals("reject")) {
                return failedOnce.add(prompt) ? "bad" : "primary";
            }
            if (prompt.equals("ok") || prompt.equals("hang")
                    || prompt.startsWith("flaky") && !failedOnce.add(prompt)) {
                return "primary";
            }
            throw new IOException();
        }
    }

    static final class Backup implements PromChat {
        @Override
        public String chat(String prompt) throws IOException {
            if (prompt.equals("dead")) {
                throw new IOException();
            }
            return "backup";
        }
    }

    final VirtualTimeSource time = new VirtualTimeSource();
    /** Registration failures Micrometer reports (by default it logs at most and drops the meter). */
    final List<String> failures = new ArrayList<>();

    PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().onMeterRegistrationFailed((id, reason) -> failures.add(id.getName() + ": " + reason));
        return r;
    }

    /** Drives every outcome the brief lists through Rebound.wrap on {@code settings}. */
    void driveEverything(ReboundSettings settings) throws Exception {
        PromChat llm = Rebound.wrap(PromChat.class, (PromChat) new Primary()).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(2)).retryOnResult(r -> "bad".equals(r)).build())
                .withFallbacks(new Backup())
                .settings(settings).build();
        assertThat(llm.chat("ok")).isEqualTo("primary");             // success
        assertThat(llm.chat("flaky-1")).isEqualTo("primary");        // retry then success
        assertThat(llm.chat("down")).isEqualTo("backup");            // fallback
        assertThat(catchThrowable(() -> llm.chat("dead"))).isInstanceOf(IOException.class); // all fail
        assertThat(llm.chat("hang")).isEqualTo("primary");           // attempt timeout, then success
        assertThat(llm.chat("reject")).isEqualTo("primary");         // rejected result, then success

        PromChat guarded = Rebound.wrap(PromChat.class, (PromChat) new Primary()).named("guarded")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).budgetRatio(0.4)
                        .budgetMinPerSecond(0).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(3).failureRatio(1.0)
                        .delay(Duration.ofSeconds(1)).build())
                .withFallbacks(new Backup())
                .settings(settings).build();
        guarded.chat("down");   // budget refuses the retry
        guarded.chat("down");
        guarded.chat("down");   // opens
        guarded.chat("down");   // refused by the open breaker
        time.advance(Duration.ofSeconds(1));
        guarded.chat("ok");     // half-open probe closes it

        PromChat limited = Rebound.wrap(PromChat.class, (PromChat) new Primary()).named("limited")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withRateLimit(RateLimitPolicy.builder().key("prometheus-limited").requestsPerMinute(2)
                        .tokensPerMinute(10_000).maxDelay(Duration.ofSeconds(30)).build())
                .withFallbacks(new Backup())
                .settings(settings).build();
        limited.chat("ok");     // charged tokens
        limited.chat("down");   // one attempt (request 2), then the retry waits ~30 s for a request: refused or waits
        limited.chat("ok");
        limited.chat("ok");

        PromChat strict = Rebound.wrap(PromChat.class, (PromChat) new Primary()).named("strict")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withRateLimit(RateLimitPolicy.builder().key("prometheus-strict").requestsPerMinute(1)
                        .maxDelay(Duration.ZERO).build())
                .withFallbacks(new Backup())
                .settings(settings).build();
        assertThat(strict.chat("ok")).isEqualTo("primary");
        assertThat(strict.chat("ok")).isEqualTo("backup");      // refused by the rate limit

        PromAsync async = Rebound.wrap(PromAsync.class, new PromAsync() {
            int n;

            @Override
            public CompletionStage<String> chat(String prompt) {
                return n++ == 0 ? CompletableFuture.failedFuture(new IOException())
                        : CompletableFuture.completedFuture("async");
            }
        }).named("async").withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false)
                .build()).settings(settings).build();
        CompletableFuture<String> f = async.chat("q").toCompletableFuture();
        time.advance(Duration.ofMillis(100));
        assertThat(f.join()).isEqualTo("async");
    }

    /** name{k=v,...} -> the set of label keys of each scraped sample of {@code family}. */
    static Set<String> labelKeySets(String scrape, String sample) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "\\{([^}]*)\\}").matcher(scrape);
        while (m.find()) {
            List<String> keys = new ArrayList<>();
            for (String kv : m.group(1).split(",")) {
                if (!kv.isBlank()) {
                    keys.add(kv.substring(0, kv.indexOf('=')));
                }
            }
            keys.sort(null);
            out.add(String.join(",", keys));
        }
        return out;
    }

    static Set<String> labelValues(String scrape, String sample, String key) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "\\{[^}]*\\b" + Pattern.quote(key)
                + "=\"([^\"]*)\"").matcher(scrape);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyMicrometerListenerMeterReachesThePrometheusScrapeWithItsTags() throws Exception {
        PrometheusMeterRegistry registry = prometheus();
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .listener(new MicrometerListener(registry)).build();

        driveEverything(settings);
        String scrape = registry.scrape();

        assertThat(failures).as("meters Micrometer refused to register in Prometheus").isEmpty();
        assertThat(labelValues(scrape, "rebound_calls_total", "outcome"))
                .containsExactly("failure", "fallback", "success", "success_after_retry");
        assertThat(labelValues(scrape, "rebound_attempts_total", "target"))
                .contains("gpt-4", "Backup", "guarded", "limited", "async");
        assertThat(labelValues(scrape, "rebound_wait_duration_seconds_count", "reason")).contains("backoff");
        assertThat(labelValues(scrape, "rebound_fallbacks_total", "to")).contains("Backup");
        assertThat(scrape).contains("rebound_call_duration_seconds_count{");
        assertThat(labelValues(scrape, "rebound_retries_stopped_total", "reason"))
                .contains("attempts", "budget", "circuit-open");
        assertThat(labelValues(scrape, "rebound_circuit_transitions_total", "state"))
                .containsExactly("closed", "half_open", "open");
        assertThat(labelKeySets(scrape, "rebound_circuit_transitions_total"))
                .containsExactly("interface,method,state,target");
        assertThat(labelValues(scrape, "rebound_rate_limit_tokens_total", "direction")).contains("charged", "refunded");
        assertThat(labelValues(scrape, "rebound_rate_limit_refused_total", "reason")).contains("rate-limit-exceeds-max-delay");
        assertThat(scrape).contains("rebound_rate_limit_wait_seconds_count{");
        assertThat(labelValues(scrape, "rebound_results_rejected_total", "reason")).containsExactly("result-rejected");
        assertThat(labelValues(scrape, "rebound_attempt_timeouts_total", "reason")).containsExactly("timeout");
        for (String family : List.of("rebound_calls_total", "rebound_attempts_total",
                "rebound_retries_stopped_total", "rebound_circuit_transitions_total")) {
            assertThat(labelKeySets(scrape, family)).as(family).hasSize(1);
        }
    }

    @Test
    void everyObservationTimerReachesThePrometheusScrapeForEveryOutcome() throws Exception {
        PrometheusMeterRegistry registry = prometheus();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .tracer(new ObservationTracer(observations)).build();

        driveEverything(settings);
        String scrape = registry.scrape();

        List<String> attemptsInRegistry = new ArrayList<>();
        for (Meter m : registry.find(ObservationTracer.ATTEMPT).meters()) {
            attemptsInRegistry.add(m.getId().getTag(ObservationTracer.OUTCOME));
        }
        assertThat(failures).as("observation timers Micrometer refused to register in Prometheus").isEmpty();
        // every attempt outcome observability.md lists, in the scrape
        assertThat(labelValues(scrape, "rebound_attempt_seconds_count", "rebound_outcome"))
                .containsExactlyInAnyOrder("success", "failure", "rejected", "refused");
        assertThat(labelValues(scrape, "rebound_attempt_seconds_count", "rebound_retry_stopped"))
                .contains("attempts", "budget", "circuit-open", "rate-limited");
        assertThat(labelValues(scrape, "rebound_attempt_seconds_count", "rebound_wait_reason")).contains("backoff");
        assertThat(labelValues(scrape, "rebound_call_seconds_count", "rebound_outcome"))
                .containsExactlyInAnyOrder("success", "success_after_retry", "fallback", "failure");
        assertThat(scrape).contains("rebound_fallback_seconds_count{");
    }

    @Test
    void oneRegistryForTheListenerAndTheObservationHandlerKeepsBoth() throws Exception {
        PrometheusMeterRegistry registry = prometheus();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .listener(new MicrometerListener(registry)).tracer(new ObservationTracer(observations)).build();

        driveEverything(settings);
        String scrape = registry.scrape();

        assertThat(failures).isEmpty();
        for (String sample : List.of("rebound_calls_total{", "rebound_attempts_total{", "rebound_call_duration_seconds_count{",
                "rebound_attempt_timeouts_total{", "rebound_call_seconds_count{", "rebound_attempt_seconds_count{",
                "rebound_fallback_seconds_count{", "rebound_rate_limit_wait_seconds_count{")) {
            assertThat(scrape).contains(sample);
        }
    }
}
