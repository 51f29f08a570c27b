package dev.rebound.modelserver;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the {@link ModelServer} does with one request: answer, fail with an HTTP status, answer too
 * late, drop the connection, or send a body that is not JSON. Immutable.
 *
 * <pre>{@code
 * server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofMillis(300)));
 * }</pre>
 */
public final class Fault {

    /** How the server behaves. */
    public enum Kind {
        /** 200 with a chat completion. */
        ANSWER,
        /** An HTTP error status with an OpenAI-style error body (and headers, if any). */
        STATUS,
        /** 200 with a chat completion, sent after {@link #delay()}. */
        SLOW_ANSWER,
        /** The connection is closed without any response. */
        DROP_CONNECTION,
        /** 200 with a body that is not valid JSON. */
        MALFORMED_BODY,
        /**
         * Streamed: the 200 and its headers, then nothing for {@link #delay()}, then the tokens. Not
         * streamed: a {@link #SLOW_ANSWER}.
         */
        STALL_BEFORE_FIRST_TOKEN,
        /**
         * Streamed: {@link #tokens()} content chunks, then the connection is cut (no {@code [DONE]},
         * no end of the chunked body). Not streamed: a {@link #DROP_CONNECTION}.
         */
        CUT_MID_STREAM,
        /**
         * Streamed: {@link #tokens()} content chunks, then an event whose data is not JSON, then the
         * connection is closed. Not streamed: a {@link #MALFORMED_BODY}.
         */
        MALFORMED_CHUNK
    }

    private static final Fault ANSWER = new Fault(Kind.ANSWER, 200, Map.of(), Duration.ZERO);

    private final Kind kind;
    private final int status;
    private final Map<String, String> headers;
    private final Duration delay;
    private final int tokens;

    private Fault(Kind kind, int status, Map<String, String> headers, Duration delay) {
        this(kind, status, headers, delay, 0);
    }

    private Fault(Kind kind, int status, Map<String, String> headers, Duration delay, int tokens) {
        this.kind = kind;
        this.status = status;
        this.headers = headers;
        this.delay = delay;
        this.tokens = tokens;
    }

    /** A normal answer. */
    public static Fault answer() {
        return ANSWER;
    }

    /**
     * 429 with {@code Retry-After} in whole seconds (rounded up, as the header allows no fraction)
     * and OpenAI's precise {@code retry-after-ms}.
     *
     * @throws IllegalArgumentException if {@code retryAfter} is negative
     */
    public static Fault rateLimited(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        long millis = retryAfter.toMillis();
        long seconds = (millis + 999) / 1000;
        return status(429).withHeader("Retry-After", Long.toString(seconds))
                .withHeader("retry-after-ms", Long.toString(millis));
    }

    /** 429 with {@code Retry-After} as an HTTP date (RFC 1123), the header's other form. */
    public static Fault rateLimitedUntil(Instant until) {
        Objects.requireNonNull(until, "until");
        return status(429).withHeader("Retry-After",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(until.atOffset(ZoneOffset.UTC)));
    }

    /** 500 Internal Server Error. */
    public static Fault serverError() {
        return status(500);
    }

    /** 503 Service Unavailable (a model outage or overload). */
    public static Fault unavailable() {
        return status(503);
    }

    /**
     * A normal answer sent after {@code delay}: longer than the client's timeout, it is a timeout.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static Fault slowAnswer(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        return new Fault(Kind.SLOW_ANSWER, 200, Map.of(), delay);
    }

    /** The server reads the request and closes the connection without a response. */
    public static Fault dropConnection() {
        return new Fault(Kind.DROP_CONNECTION, 0, Map.of(), Duration.ZERO);
    }

    /** 200 with a truncated JSON body. */
    public static Fault malformedBody() {
        return new Fault(Kind.MALFORMED_BODY, 200, Map.of(), Duration.ZERO);
    }

    /**
     * For a streamed request: the response opens (200, {@code text/event-stream}) and then nothing
     * comes for {@code delay}, after which the tokens stream as usual; past a client's
     * time-to-first-token limit it is a stall. For a request that does not stream: a slow answer.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static Fault stallBeforeFirstToken(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        return new Fault(Kind.STALL_BEFORE_FIRST_TOKEN, 200, Map.of(), delay);
    }

    /**
     * For a streamed request: {@code tokens} content chunks, then the connection is cut without
     * {@code [DONE]}, 100 ms after the last of them ({@code 0}: 100 ms after the 200). For a request
     * that does not stream: a
     * dropped connection.
     *
     * @throws IllegalArgumentException if {@code tokens} is negative
     */
    public static Fault cutMidStream(int tokens) {
        return new Fault(Kind.CUT_MID_STREAM, 200, Map.of(), Duration.ZERO, tokens("tokens", tokens));
    }

    /**
     * For a streamed request: {@code tokens} content chunks, then an event whose data is not JSON
     * ({@code 0}: the first chunk is the malformed one). For a request that does not stream: a
     * malformed body.
     *
     * @throws IllegalArgumentException if {@code tokens} is negative
     */
    public static Fault malformedChunk(int tokens) {
        return new Fault(Kind.MALFORMED_CHUNK, 200, Map.of(), Duration.ZERO, tokens("tokens", tokens));
    }

    private static int tokens(String name, int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + tokens);
        }
        return tokens;
    }

    /**
     * Any HTTP error status (400 invalid request, 401 bad key, 404 unknown model, ...) with an
     * OpenAI-style error body.
     *
     * @throws IllegalArgumentException if {@code status} is not within 400..599
     */
    public static Fault status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be within 400..599, was " + status);
        }
        return new Fault(Kind.STATUS, status, Map.of(), Duration.ZERO);
    }

    /**
     * This fault with one more response header (e.g. {@code x-ratelimit-reset-requests: 2s}).
     *
     * @throws IllegalStateException for a dropped connection, which sends no headers
     */
    public Fault withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (kind == Kind.DROP_CONNECTION) {
            throw new IllegalStateException("a dropped connection sends no headers");
        }
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Fault(kind, status, Map.copyOf(more), delay, tokens);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status sent; 0 for a dropped connection. */
    public int status() {
        return status;
    }

    /** Extra response headers. */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * For {@link Kind#SLOW_ANSWER}: how long the server waits before answering; for
     * {@link Kind#STALL_BEFORE_FIRST_TOKEN}: how long the opened stream stays silent.
     */
    public Duration delay() {
        return delay;
    }

    /**
     * For {@link Kind#CUT_MID_STREAM} and {@link Kind#MALFORMED_CHUNK}: how many content chunks are
     * sent before the fault; 0 otherwise.
     */
    public int tokens() {
        return tokens;
    }

    /**
     * {@code 200}, {@code 429 Retry-After=1}, {@code slow 300ms}, {@code dropped}, {@code malformed},
     * {@code stall 300ms}, {@code cut after 3 tokens}, {@code malformed chunk after 3 tokens}.
     */
    @Override
    public String toString() {
        switch (kind) {
            case SLOW_ANSWER:
                return "slow " + delay.toMillis() + "ms";
            case STALL_BEFORE_FIRST_TOKEN:
                return "stall " + delay.toMillis() + "ms";
            case CUT_MID_STREAM:
                return "cut after " + tokens + " tokens";
            case MALFORMED_CHUNK:
                return "malformed chunk after " + tokens + " tokens";
            case DROP_CONNECTION:
                return "dropped";
            case MALFORMED_BODY:
                return "malformed";
            default:
                String retryAfter = headers.get("Retry-After");
                return retryAfter == null ? Integer.toString(status) : status + " Retry-After=" + retryAfter;
        }
    }
}
