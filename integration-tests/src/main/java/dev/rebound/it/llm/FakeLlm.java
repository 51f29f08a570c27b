package dev.rebound.it.llm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory LLM service shared by every fake model: each model fails its first N calls (with a
 * fresh {@link LlmUnavailableException} each time) and then answers. Every call is logged as
 * {@code "gpt-4 #1"}, so tests assert exact attempt counts and order.
 */
public final class FakeLlm {

    private static final Map<String, Integer> FAILURES = new HashMap<>();
    private static final Map<String, Integer> CALLS = new HashMap<>();
    private static final List<String> LOG = new ArrayList<>();
    private static final List<LlmUnavailableException> THROWN = new ArrayList<>();

    private FakeLlm() {
    }

    /** Forgets every script and call. */
    public static synchronized void reset() {
        FAILURES.clear();
        CALLS.clear();
        LOG.clear();
        THROWN.clear();
    }

    /** {@code model} fails its next {@code n} calls; {@link Integer#MAX_VALUE} = always. */
    public static synchronized void failFirst(String model, int n) {
        FAILURES.put(model, n);
    }

    /** One call of {@code model}: logs it, then fails or answers. */
    public static synchronized String complete(String model, String prompt) {
        int call = CALLS.merge(model, 1, Integer::sum);
        LOG.add(model + " #" + call);
        if (call <= FAILURES.getOrDefault(model, 0)) {
            LlmUnavailableException e = new LlmUnavailableException(model + " unavailable (call " + call + ")");
            THROWN.add(e);
            throw e;
        }
        return model + ": " + prompt;
    }

    /** Every call so far, in order, as {@code "gpt-4 #1"}. */
    public static synchronized List<String> calls() {
        return List.copyOf(LOG);
    }

    /** Every failure thrown so far, in order. */
    public static synchronized List<LlmUnavailableException> thrown() {
        return List.copyOf(THROWN);
    }
}
