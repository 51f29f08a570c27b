package dev.rebound.runtime.ratelimit;

import java.util.List;

/**
 * The bounds of a rate limit, written once for {@code @RateLimit} and {@code RateLimitPolicy.builder()}
 * so both say the same words: {@code <prefix>requestsPerMinute = 0 is below 1}. Plain-value checks,
 * to fold into the project's one rule set.
 */
public final class RateLimitRules {

    private RateLimitRules() {
    }

    /**
     * Adds a problem per attribute out of bounds, each as {@code prefix + attribute = value + rule}.
     *
     * @param prefix {@code "@RateLimit."} or {@code "RateLimitPolicy."}
     * @param maxDelayNegative whether the maxDelay written is negative
     * @param maxDelayText the maxDelay as the user wrote it, for the message
     */
    public static void check(String prefix, long requestsPerMinute, long tokensPerMinute, long maxOutputTokens,
            boolean maxDelayNegative, String maxDelayText, List<String> problems) {
        if (requestsPerMinute < 1) {
            problems.add(prefix + "requestsPerMinute = " + requestsPerMinute + " is below 1"
                    + (tokensPerMinute > 0 ? " (a token limit needs a request limit)" : ""));
        }
        if (tokensPerMinute < 0) {
            problems.add(prefix + "tokensPerMinute = " + tokensPerMinute + " is negative (0 = no token limit)");
        }
        if (maxOutputTokens < 0) {
            problems.add(prefix + "maxOutputTokens = " + maxOutputTokens + " is negative");
        }
        if (maxDelayNegative) {
            problems.add(prefix + "maxDelay = " + maxDelayText + " is negative");
        }
    }

    /** How two definitions of one key differ, or null: every method naming a key must give it the same limits. */
    public static String conflict(String key, long rpm, long tpm, long otherRpm, long otherTpm) {
        if (rpm == otherRpm && tpm == otherTpm) {
            return null;
        }
        return "names rate limit \"" + key + "\" (requestsPerMinute " + otherRpm + ", tokensPerMinute " + otherTpm
                + ") with requestsPerMinute " + rpm + ", tokensPerMinute " + tpm
                + "; every method naming a rate limit key must give it the same limits";
    }
}
