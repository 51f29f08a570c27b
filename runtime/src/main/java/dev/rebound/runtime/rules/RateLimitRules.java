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

    /** The default of {@code maxOutputTokens}, {@code @RateLimit}'s and {@code RateLimitPolicy.Builder}'s. */
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 256;

    private RateLimitRules() {
    }

    /** Requests per minute: at least 1; a token limit without one is named as such. */
    public static String requestsPerMinute(String attribute, long requests, long tokensPerMinute) {
        return requests < 1 ? problem(attribute, requests, "is below 1"
                + (tokensPerMinute > 0 ? " (a token limit needs a request limit)" : "")) : null;
    }

    /**
     * The most tokens per minute a limit can refill: one a nanosecond, the fastest refill Bucket4j keeps
     * (it refuses a faster one when the bucket is built, which would be the first call).
     */
    public static final long MAX_TOKENS_PER_MINUTE = 60_000_000_000L;

    /** Tokens per minute: 0 (no token limit) to {@link #MAX_TOKENS_PER_MINUTE}. */
    public static String tokensPerMinute(String attribute, long tokens) {
        if (tokens < 0) {
            return problem(attribute, tokens, "is negative (0 = no token limit)");
        }
        return tokens > MAX_TOKENS_PER_MINUTE ? problem(attribute, tokens, "is above 60000000000, one token a "
                + "nanosecond, the fastest refill Bucket4j keeps (0 = no token limit)") : null;
    }

    /** The answer's tokens charged before a call: at least 0. */
    public static String maxOutputTokens(String attribute, long tokens) {
        return tokens < 0 ? problem(attribute, tokens, "is negative") : null;
    }

    /**
     * An answer budget other than the default needs a token limit: without one no token is charged, so
     * it would silently mean nothing. Compared with the default, so the annotation and the builder agree.
     */
    public static String maxOutputTokensNeedsTokenLimit(String attribute, long tokens, String tokensAttribute,
            long tokensPerMinute) {
        return tokens >= 0 && tokens != DEFAULT_MAX_OUTPUT_TOKENS && tokensPerMinute == 0
                ? problem(attribute, tokens, "needs " + tokensAttribute + " above 0") : null;
    }

    /**
     * A token estimator other than the default ({@code other}) needs a token limit: without one no token
     * is estimated. The builder's only (an annotation names no estimator).
     */
    public static String estimatorNeedsTokenLimit(String attribute, boolean other, String tokensAttribute,
            long tokensPerMinute) {
        return other && tokensPerMinute == 0 ? attribute + " needs " + tokensAttribute + " above 0" : null;
    }

    /** Every problem of one {@code @RateLimit}, its attributes named {@code @RateLimit.<member>}. */
    public static List<String> check(RateLimit r) {
        List<String> problems = new ArrayList<>();
        add(problems, requestsPerMinute("@RateLimit.requestsPerMinute", r.requestsPerMinute(), r.tokensPerMinute()));
        add(problems, tokensPerMinute("@RateLimit.tokensPerMinute", r.tokensPerMinute()));
        add(problems, maxOutputTokens("@RateLimit.maxOutputTokens", r.maxOutputTokens()));
        add(problems, maxOutputTokensNeedsTokenLimit("@RateLimit.maxOutputTokens", r.maxOutputTokens(),
                "@RateLimit.tokensPerMinute", r.tokensPerMinute()));
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

    /**
     * A key the methods reading the global settings live define otherwise than the methods built on the
     * store {@code setGlobal} brings: said by {@code setGlobal}, which cannot refuse what was built before.
     * The key has one limiter in the store: one of the two is not applied.
     */
    public static String conflictWithNewGlobal(String key, long liveRpm, long liveTpm, long rpm, long tpm) {
        return "rate limit \"" + key + "\" is defined with requestsPerMinute " + liveRpm + ", tokensPerMinute "
                + liveTpm + " by methods reading the global settings live, and with requestsPerMinute " + rpm
                + ", tokensPerMinute " + tpm + " by methods built on the new global settings' store: both count on"
                + " the key's one limiter there, so one of the two is not applied; every method naming a rate limit"
                + " key must give it the same limits";
    }
}
