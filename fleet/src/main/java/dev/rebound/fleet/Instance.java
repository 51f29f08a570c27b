package dev.rebound.fleet;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.RedisRateLimitStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the fleet, in its own JVM with its own Rebound state: calls the rate-limited
 * primary ("gpt-4o") with a retry that honours Retry-After and a fallback ("local"), on a fixed
 * schedule, and prints what happened on one line. Started by {@link FleetFigure}.
 *
 * <p>Arguments: baseUrl mode(none|local|shared) rpm instances intervalMillis seconds [redisUri].
 */
public final class Instance {

    static final String PRIMARY = "gpt-4o";
    static final String FALLBACK = "local";

    public static void main(String[] args) throws Exception {
        FleetFigure.quietLettuce();
        String baseUrl = args[0];
        String mode = args[1];
        int rpm = Integer.parseInt(args[2]);
        int instances = Integer.parseInt(args[3]);
        long intervalMillis = Long.parseLong(args[4]);
        int seconds = Integer.parseInt(args[5]);
        String redis = args.length > 6 ? args[6] : null;

        Chat primary = model(baseUrl, PRIMARY)::chat;
        Chat fallback = model(baseUrl, FALLBACK)::chat;
        RateLimitStore store = null;
        ReboundSettings.Builder settings = ReboundSettings.builder().logging(false);
        Rebound.Builder<Chat> builder = Rebound.wrap(Chat.class, primary).named(PRIMARY);
        if (mode.equals("local") || mode.equals("shared")) {
            int limit = mode.equals("local") ? Math.max(1, rpm / instances) : rpm;
            store = mode.equals("shared") ? RedisRateLimitStore.connect(redis) : RateLimitStore.inProcess();
            settings.rateLimitStore(store);
            builder.withRateLimit(RateLimitPolicy.builder().key("openai").requestsPerMinute(limit)
                    .maxDelay(Duration.ofSeconds(1)).build());
        }
        if (mode.startsWith("dead")) {
            if (mode.equals("dead-shared")) {
                store = RedisRateLimitStore.connect(redis);
                settings.rateLimitStore(store);
            }
            builder.withCircuitBreaker(CircuitBreakerPolicy.builder().build());
        }
        Chat chat = builder
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(200))
                        .maxDelay(Duration.ofSeconds(1)).build())
                .withFallbacks(fallback)
                .settings(settings.build())
                .build();

        // warm up on the fallback (unlimited), then wait for the coordinator's go
        long[] warmUp = new long[40];
        for (int i = 0; i < warmUp.length; i++) {
            long t = System.nanoTime();
            fallback.chat("warm-up " + i);
            warmUp[i] = System.nanoTime() - t;
        }
        java.util.Arrays.sort(warmUp, 20, 40);
        long baselineMicros = warmUp[30] / 1000; // the median of the last 20 plain calls
        System.out.println("READY");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();

        ExecutorService callers = Executors.newCachedThreadPool();
        List<Future<long[]>> calls = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (long due = start; due < end; due += TimeUnit.MILLISECONDS.toNanos(intervalMillis)) {
            long sleep = due - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            long scheduled = due;
            int n = calls.size();
            calls.add(callers.submit(() -> {
                String answer;
                try {
                    answer = chat.chat("fleet call " + n);
                } catch (RuntimeException e) {
                    answer = "";
                }
                long byPrimary = answer.startsWith(PRIMARY) ? 1 : 0;
                long byFallback = answer.startsWith(FALLBACK) ? 1 : 0;
                return new long[] {byPrimary, byFallback, System.nanoTime() - scheduled};
            }));
        }
        long primaryAnswers = 0;
        long fallbackAnswers = 0;
        StringJoiner latencies = new StringJoiner(",");
        for (Future<long[]> f : calls) {
            long[] r = f.get(60, TimeUnit.SECONDS);
            primaryAnswers += r[0];
            fallbackAnswers += r[1];
            latencies.add(Long.toString(r[2] / 1000));
        }
        callers.shutdown();
        if (store != null) {
            store.close();
        }
        System.out.println("RESULT " + baselineMicros + " " + calls.size() + " " + primaryAnswers + " " + fallbackAnswers + " " + latencies);
        System.out.flush();
        System.exit(0);
    }

    static ChatModel model(String baseUrl, String name) {
        return OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("fleet").modelName(name)
                .httpClientBuilder(RetryAfterHttpClientBuilder.create()).maxRetries(0)
                .timeout(Duration.ofSeconds(10)).build();
    }
}
