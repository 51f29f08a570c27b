package dev.rebound.runtime.internal;

import dev.rebound.annotations.RateLimit;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.ratelimit.RateLimitGuard;
import dev.rebound.runtime.rules.RateLimitRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Where a method's rate limit comes from: {@code @RateLimit} read into a {@link RateLimitPolicy}
 * (the rule set's words, {@link RateLimitRules}), and the key's {@link RateLimiter} from the
 * settings' store. Each key is defined once per store: a second definition with other limits is a
 * configuration problem while the first one's application lives; a build that fails defines none
 * ({@link Definitions}). Asked at resolution, never per call.
 */
public final class RateLimits {

    /** The limits each key is defined with, per store, while what defined it lives ({@link Definitions}). */
    private static final Map<RateLimitStore, Definitions.Registry> DEFINED =
            Collections.synchronizedMap(new WeakHashMap<>());
    private static final boolean BUCKET4J = bucket4jOnClassPath();

    private RateLimits() {
    }

    /**
     * {@code annotation} as a policy, or null with a problem per attribute out of bounds, each as
     * {@code where: @RateLimit.requestsPerMinute = 0 is below 1}.
     */
    public static RateLimitPolicy fromAnnotation(RateLimit annotation, String where, List<String> problems) {
        List<String> own = RateLimitRules.check(annotation);
        if (!own.isEmpty()) {
            Rules.addAt(where, own, problems);
            return null;
        }
        return RateLimitPolicy.builder().key(annotation.key()).requestsPerMinute(annotation.requestsPerMinute())
                .tokensPerMinute(annotation.tokensPerMinute()).maxOutputTokens(annotation.maxOutputTokens())
                .maxDelay(Duration.ofNanos(annotation.unit().toNanos(annotation.maxDelay()))).build();
    }

    /** The key {@code policy}'s permits are counted under: the one it names, else {@code scope}. */
    public static String keyOf(RateLimitPolicy policy, String scope) {
        return policy.key().isEmpty() ? scope : policy.key();
    }

    /** A key's limits: how a store's keys are defined. */
    private record Limits(long requestsPerMinute, long tokensPerMinute) {
    }

    /**
     * Defines {@code policy}'s key in the settings' store once {@code build} registers, or adds a problem:
     * Bucket4j missing, or the key already defined there (or by this build) with other limits.
     *
     * @param where the method, as {@code ChatClient.chat(String)}, or the builder
     * @param scope the key when the policy names none (the interface's name)
     * @param attribute how the problem names the policy: {@code @RateLimit.key} or {@code withRateLimit}
     */
    public static void check(ReboundSettings settings, RateLimitPolicy policy, String where, String scope,
            String attribute, Definitions build, List<String> problems) {
        if (!BUCKET4J) {
            problems.add(where + ": " + attribute + " needs com.bucket4j:bucket4j_jdk17-core on the class path");
            return;
        }
        String key = keyOf(policy, scope);
        Definitions.Registry keys = DEFINED.computeIfAbsent(settings.rateLimitStore(), s -> new Definitions.Registry());
        String conflict = build.define(keys, key, new Limits(policy.requestsPerMinute(), policy.tokensPerMinute()),
                first -> Rules.at(where, RateLimitRules.conflict(attribute, key, policy.requestsPerMinute(),
                        policy.tokensPerMinute(), ((Limits) first).requestsPerMinute(),
                        ((Limits) first).tokensPerMinute())));
        if (conflict != null) {
            problems.add(conflict);
        }
    }

    /** The guard of one method with {@code settings}: the limiter of its key in the settings' store. */
    public static RateLimitGuard guard(ReboundSettings settings, RateLimitPolicy policy, String method, String key) {
        RateLimiter limiter = settings.rateLimitStore().limiter(key, policy.requestsPerMinute(),
                policy.tokensPerMinute(), settings.timeSource());
        return new RateLimitGuard(method, key, policy, limiter, settings.timeSource());
    }

    /** Resolving a class literal fails with a LinkageError when the optional library is absent. */
    private static boolean bucket4jOnClassPath() {
        try {
            return io.github.bucket4j.Bucket.class.getName() != null;
        } catch (LinkageError absent) {
            return false;
        }
    }
}
