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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a method's rate limit comes from: {@code @RateLimit} read into a {@link RateLimitPolicy}
 * (the rule set's words, {@link RateLimitRules}), and the key's {@link RateLimiter} from the
 * settings' store. Each key is defined once per store: a second definition with other limits is a
 * configuration problem while the first one's application lives; a build that fails defines none
 * ({@link Definitions}). A method reading the global settings live defines its key among all such methods
 * and in the global settings' store, into whichever store {@code setGlobal} brings ({@link #globalChanged}).
 * Asked at resolution and when the global settings change, never per call.
 */
public final class RateLimits {

    /** The limits each key is defined with, per store, while what defined it lives ({@link Definitions}). */
    private static final Map<RateLimitStore, Definitions.Registry> DEFINED =
            Collections.synchronizedMap(new WeakHashMap<>());
    /** How the methods reading the global settings live define their keys, whatever store those have. */
    private static final Definitions.Registry LIVE = new Definitions.Registry();
    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");
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
     * @param settings null: the global settings, read live (the key is defined among all methods reading them
     *     live too)
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
        Definitions.Registry keys = settings != null ? keysOf(settings.rateLimitStore()) : LIVE;
        String conflict = build.define(keys, settings != null ? null
                : () -> keysOf(ReboundSettings.global().rateLimitStore()), key,
                new Limits(policy.requestsPerMinute(), policy.tokensPerMinute()),
                first -> Rules.at(where, RateLimitRules.conflict(attribute, key, policy.requestsPerMinute(),
                        policy.tokensPerMinute(), ((Limits) first).requestsPerMinute(),
                        ((Limits) first).tokensPerMinute())));
        if (conflict != null) {
            problems.add(conflict);
        }
    }

    private static Definitions.Registry keysOf(RateLimitStore store) {
        return DEFINED.computeIfAbsent(store, s -> new Definitions.Registry());
    }

    /**
     * {@code setGlobal} brought settings with {@code store}: the keys the methods reading the global settings
     * live define are defined there too, so that a build on it is held to them; a key the store defines
     * otherwise already (a method built with settings of that store) is said in a WARN.
     */
    public static void globalChanged(RateLimitStore store) {
        for (String problem : Definitions.carry(LIVE, keysOf(store), (key, live, there) -> {
            Limits l = (Limits) live;
            Limits t = (Limits) there;
            return RateLimitRules.conflictWithNewGlobal(key, l.requestsPerMinute(), l.tokensPerMinute(),
                    t.requestsPerMinute(), t.tokensPerMinute());
        })) {
            LOG.warn("ReboundSettings.setGlobal: {}", problem);
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
