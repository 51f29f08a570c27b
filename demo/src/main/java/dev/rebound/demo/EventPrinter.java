package dev.rebound.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints one aligned line per attempt (model, outcome or HTTP status, the wait chosen and why) and
 * per fallback switch. The chain has two levels (gpt-4's wrapper, whose fallbacks are wrappers with
 * their own retry): {@link #primary()} listens to the first, {@link #fallback()} to the second, and
 * each level reports only what the other can't see; every attempt gets one line, and the count of
 * lines is the attempts the Micrometer meters count. Prints names, statuses and class names only.
 */
final class EventPrinter {

    private static final String FORMAT = "  %-3s %-18s %-8s %-34s %s%n";

    private final PrintStream out;
    private final String primaryName;
    private final Map<String, Integer> attempts = new LinkedHashMap<>();
    private ReboundEvent pendingFailure;
    private boolean lastWasSuccess;
    /** The model the chain is on now: the primary, then each fallback switch's alternative. */
    private String current;
    private int lines;
    private int fallbacks;

    EventPrinter(PrintStream out, String primaryName, List<String> models) {
        this.out = out;
        this.primaryName = primaryName;
        this.current = primaryName;
        for (String m : models) {
            attempts.put(m, 0);
        }
    }

    void header() {
        out.printf(FORMAT, "#", "model", "attempt", "outcome", "then");
    }

    /**
     * For gpt-4's wrapper: its own attempts, the fallback switches, the successes of fallbacks, and
     * the answers it rejects, a fallback's included (the rule on answers is gpt-4's wrapper's: the
     * fallback's own wrapper saw a success).
     */
    ReboundListener primary() {
        return e -> {
            boolean own = primaryName.equals(e.target());
            boolean judged = e.kind() == Kind.RESULT_REJECTED
                    || (e.kind() == Kind.RETRIES_EXHAUSTED && "result-rejected".equals(e.reason()));
            if (own || judged || e.kind() == Kind.FALLBACK || e.kind() == Kind.FAILED
                    || (e.kind() == Kind.SUCCEEDED && !lastWasSuccess)) {
                onEvent(e);
            }
        };
    }

    /** For each fallback's own retry: everything but its final failure (the next switch tells it). */
    ReboundListener fallback() {
        return e -> {
            if (e.kind() != Kind.FAILED) {
                onEvent(e);
            }
        };
    }

    private synchronized void onEvent(ReboundEvent e) {
        switch (e.kind()) {
            case ATTEMPT_FAILED:
            case RESULT_REJECTED:
                pendingFailure = e;
                break;
            case RETRY_SCHEDULED:
                attemptLine(pendingFailure, "retry in " + e.waitTime().toMillis() + " ms ("
                        + ("retry-after".equals(e.reason()) ? "server's Retry-After" : "backoff") + ")");
                break;
            case RETRIES_EXHAUSTED:
                attemptLine(pendingFailure, "give up " + e.target() + " (" + why(e.reason()) + ")");
                break;
            case FALLBACK:
                fallbacks++;
                lastWasSuccess = false;
                current = e.alternative();
                out.printf(FORMAT, "", e.target(), "", "", "fall back to " + e.alternative());
                break;
            case SUCCEEDED:
                if (!lastWasSuccess) { // a stream's first token may have told it already
                    success(e.target(), e.attempt());
                }
                break;
            case FAILED:
                out.printf(FORMAT, "", "", "", "", "every model failed: the caller gets "
                        + e.failure().getClass().getSimpleName());
                break;
            case INTERRUPTED:
                out.printf(FORMAT, "", e.target(), "", "", "interrupted");
                break;
            default:
                break;
        }
    }

    /**
     * A stream's first token arrived: its line is printed now, above the tokens, from what the table
     * already holds (the model the chain is on, one more than its failed attempts). The engine's
     * SUCCEEDED event may come later than the first token, from another thread: it is then not printed
     * again. Also the line of a primary that answered at its first attempt, which the engine does not report.
     */
    synchronized void firstAttemptSucceeded() {
        if (!lastWasSuccess) {
            success(current, attempts.getOrDefault(current, 0) + 1);
        }
    }

    private void success(String model, int attempt) {
        count(model);
        lastWasSuccess = true;
        out.printf(FORMAT, lines, model, attempt, "200 answer", "done");
    }

    private void attemptLine(ReboundEvent failure, String then) {
        lastWasSuccess = false;
        count(failure.target());
        out.printf(FORMAT, lines, failure.target(), failure.attempt(), outcome(failure.failure()), then);
    }

    private void count(String model) {
        lines++;
        attempts.merge(model, 1, Integer::sum);
    }

    synchronized int attemptCount() {
        return lines;
    }

    synchronized int fallbackCount() {
        return fallbacks;
    }

    /** Requests per model as this printer counted them (one per attempt). */
    synchronized Map<String, Integer> attemptsPerModel() {
        return new LinkedHashMap<>(attempts);
    }

    private static String why(String reason) {
        switch (reason) {
            case "attempts":
                return "no attempts left";
            case "not-retryable":
                return "not retryable";
            case "deadline":
                return "maxDuration reached";
            case "quota-exhausted":
                return "out of quota: no retry";
            case "result-rejected":
                return "answer rejected: no retry";
            case "retry-after-exceeds-max-delay":
                return "server's Retry-After beyond maxDelay";
            default:
                return reason;
        }
    }

    /** {@code 503 InternalServerException}, {@code timeout TimeoutException}, ... never a message. */
    static String outcome(Throwable t) {
        String name = t.getClass().getSimpleName();
        if (t instanceof dev.rebound.runtime.RejectedResultException) {
            return "200 rejected answer";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HttpException) {
                return ((HttpException) c).statusCode() + " " + name;
            }
            if (c instanceof TimeoutException || c instanceof java.net.http.HttpTimeoutException) {
                return "timeout " + name;
            }
            if (c instanceof JsonProcessingException) {
                return "malformed body " + name;
            }
            if (c instanceof IOException) {
                return "no response " + name;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return name;
    }
}
