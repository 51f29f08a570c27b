package dev.rebound.runtime.rules;

import static dev.rebound.runtime.rules.Rules.add;
import static dev.rebound.runtime.rules.Rules.notNegative;
import static dev.rebound.runtime.rules.Rules.problem;

import dev.rebound.annotations.RateLimit;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of a rate limit ({@code @RateLimit}, {@code RateLimitPolicy.Builder}). Each rule takes the
 * attribute's name as its reader knows it and returns the problem, or null when fine.
 */
public final class RateLimitRules {

    private RateLimitRules() {
    }

    /** Requests per minute: at least 1; a token limit without one is named as such. */
    public static String requestsPerMinute(String attribute, long requests, long tokensPerMinute) {
        return requests < 1 ? problem(attribute, requests, "is below 1"
                + (tokensPerMinute > 0 ? " (a token limit needs a request limit)" : "")) : null;
    }

    /** Tokens per minute: at least 0 (0 = no token limit). */
    public static String tokensPerMinute(String attribute, long tokens) {
        return tokens < 0 ? problem(attribute, tokens, "is negative (0 = no token limit)") : null;
    }

    /** The answer's tokens charged before a call: at least 0. */
    public static String maxOutputTokens(String attribute, long tokens) {
        return tokens < 0 ? problem(attribute, tokens, "is negative") : null;
    }

    /** Every problem of one {@code @RateLimit}, its attributes named {@code @RateLimit.<member>}. */
    public static List<String> check(RateLimit r) {
        List<String> problems = new ArrayList<>();
        add(problems, requestsPerMinute("@RateLimit.requestsPerMinute", r.requestsPerMinute(), r.tokensPerMinute()));
        add(problems, tokensPerMinute("@RateLimit.tokensPerMinute", r.tokensPerMinute()));
        add(problems, maxOutputTokens("@RateLimit.maxOutputTokens", r.maxOutputTokens()));
        add(problems, notNegative("@RateLimit.maxDelay", new TimeAmount(r.maxDelay(), r.unit())));
        return problems;
    }

    /**
     * How a second definition of {@code key} differs from the first, or null: every method naming a key
     * must give it the same limits.
     */
    public static String conflict(String attribute, String key, long rpm, long tpm, long firstRpm, long firstTpm) {
        if (rpm == firstRpm && tpm == firstTpm) {
            return null;
        }
        return attribute + " names rate limit \"" + key + "\" (requestsPerMinute " + firstRpm + ", tokensPerMinute "
                + firstTpm + ") with requestsPerMinute " + rpm + ", tokensPerMinute " + tpm
                + "; every method naming a rate limit key must give it the same limits";
    }
}
