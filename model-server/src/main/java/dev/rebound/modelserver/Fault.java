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
 * late, drop the connection, or send a body that is not JSON. Immutable, and a value: two faults that
 * serve the same response are {@link #equals equal} (so an expected {@link ServedRequest} built from
 * the same values equals the logged one). Bad input is refused when the fault is made, naming the
 * argument: a status outside 400..599, a negative count, a negative or too long wait, a header that
 * cannot be sent.
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
        /**
         * 200 with a body that is not valid JSON. Streamed: the 200 and its headers, then a first event
         * whose data is not JSON (a {@link #MALFORMED_CHUNK} after no tokens).
         */
        MALFORMED_BODY,
        /**
         * Streamed: the 200 and its headers, then nothing for {@link #delay()}, then the tokens. Not
         * streamed: a {@link #SLOW_ANSWER}.
         */
        STALL_BEFORE_FIRST_TOKEN,
        /**
         * Streamed: the 200 and its headers, then nothing until the test calls
         * {@link ModelServer#releaseStalls()}, then the tokens. Not streamed: the answer, sent when released.
         */
        STALL_UNTIL_RELEASED,
        /**
         * Streamed: {@link #tokens()} content chunks, then the connection is cut (no {@code [DONE]},
         * no end of the chunked body). Not streamed: a {@link #DROP_CONNECTION}.
         */
        CUT_MID_STREAM,
        /**
         * Streamed: {@link #tokens()} content chunks, then an event whose data is not JSON, then the
         * connection is closed. Not streamed: a {@link #MALFORMED_BODY}.
         */
        MALFORMED_CHUNK,
        /** An HTTP error status with a provider's own error body ({@link #detail()}), and headers. */
        PROVIDER_ERROR,
        /**
         * 200 with a chat completion that stopped for {@link #detail()} ({@code length}: the answer's
         * first half; {@code content_filter}: no content; {@code stop}: a blank answer).
         */
        STOPPED_ANSWER
    }

    private static final Fault ANSWER = of(Kind.ANSWER, 200, Duration.ZERO, null, 0);

    private final Kind kind;
    private final int status;
    private final Map<String, String> headers;
    private final Duration delay;
    /** The error body of a provider error, the finish reason of a stopped answer; else null. */
    private final String detail;
    private final int tokens;

    private Fault(Kind kind, int status, Map<String, String> headers, Duration delay, String detail, int tokens) {
        this.kind = kind;
        this.status = status;
        this.headers = headers;
        this.delay = delay;
        this.detail = detail;
        this.tokens = tokens;
    }

    private static Fault of(Kind kind, int status, Duration delay, String detail, int tokens) {
        return new Fault(kind, status, Map.of(), delay, detail, tokens);
    }

    /** A normal answer. */
    public static Fault answer() {
        return ANSWER;
    }

    /**
     * 429 with {@code Retry-After} in whole seconds (rounded up, as the header allows no fraction)
     * and OpenAI's {@code retry-after-ms} in whole milliseconds (rounded up): a wait that is not zero is
     * never told as 0, "come back now".
     *
     * @throws IllegalArgumentException if {@code retryAfter} is negative or longer than {@link #MAX_WAIT}
     */
    public static Fault rateLimited(Duration retryAfter) {
        wait("retryAfter", retryAfter);
        return status(429).withHeader("Retry-After", Long.toString(secondsRoundedUp(retryAfter)))
                .withHeader("retry-after-ms", Long.toString(millisRoundedUp(retryAfter)));
    }

    /** {@code d} in whole seconds, rounded up. */
    static long secondsRoundedUp(Duration d) {
        return d.getNano() == 0 ? d.getSeconds() : Math.addExact(d.getSeconds(), 1);
    }

    /** {@code d} in whole milliseconds, rounded up; {@code d} at most {@link #MAX_WAIT}. */
    static long millisRoundedUp(Duration d) {
        return Math.addExact(Math.multiplyExact(d.getSeconds(), 1000), (d.getNano() + 999_999) / 1_000_000);
    }

    /**
     * 429 with {@code Retry-After} as an HTTP date, the header's other form: the IMF-fixdate of RFC 9110,
     * section 5.6.7 ({@code Sat, 05 Jan 2030 08:49:37 GMT}: a two-digit day, whole seconds).
     */
    public static Fault rateLimitedUntil(Instant until) {
        Objects.requireNonNull(until, "until");
        return status(429).withHeader("Retry-After", IMF_FIXDATE.format(until.atOffset(ZoneOffset.UTC)));
    }

    /** RFC 9110's preferred HTTP date; the JDK's RFC 1123 formatter writes days 1 to 9 with one digit. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

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
     * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link #MAX_WAIT}
     */
    public static Fault slowAnswer(Duration delay) {
        return of(Kind.SLOW_ANSWER, 200, wait("delay", delay), null, 0);
    }

    /** The server reads the request and closes the connection without a response. */
    public static Fault dropConnection() {
        return of(Kind.DROP_CONNECTION, 0, Duration.ZERO, null, 0);
    }

    /**
     * 200 with a truncated JSON body. For a streamed request: the stream opens and its first event is
     * not JSON, as {@link #malformedChunk(int) malformedChunk(0)}; logged as {@code malformed}.
     */
    public static Fault malformedBody() {
        return of(Kind.MALFORMED_BODY, 200, Duration.ZERO, null, 0);
    }

    /**
     * For a streamed request: the response opens (200, {@code text/event-stream}) and then nothing
     * comes for {@code delay}, after which the tokens stream as usual; past a client's
     * time-to-first-token limit it is a stall. For a request that does not stream: a slow answer.
     *
     * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link #MAX_WAIT}
     */
    public static Fault stallBeforeFirstToken(Duration delay) {
        return of(Kind.STALL_BEFORE_FIRST_TOKEN, 200, wait("delay", delay), null, 0);
    }

    /**
     * For a streamed request: the response opens (200, {@code text/event-stream}) and then nothing comes
     * until {@link ModelServer#releaseStalls()} (or {@link ModelServer#reset()}, or the server closes);
     * then the tokens stream as usual. A stall that ends when the test says so, not after a time: a
     * client timed on a virtual clock is cut while the network is really silent.
     * {@link ModelServer#awaitStalled} waits until such streams are open and silent.
     */
    public static Fault stallUntilReleased() {
        return of(Kind.STALL_UNTIL_RELEASED, 200, Duration.ZERO, null, 0);
    }

    /**
     * For a streamed request: {@code tokens} content events, then the connection is cut without
     * {@code [DONE]} ({@code 0}: right after the 200's headers). What the client sees is the same every
     * run, whatever its speed: every one of the {@code tokens} events (sent together, in one HTTP chunk,
     * which a client reads whole), then the connection closing (an orderly close, not a reset) in the
     * middle of the chunked body, which it reports as an I/O failure (langchain4j's
     * {@code OpenAiStreamingChatModel}: {@code tokens} calls of {@code onPartialResponse}, then
     * {@code onError}). Kept to one chunk, the events before the cut should stay under 4 KB (about 20
     * tokens): past that the JDK server splits them into chunks, and a client may see the close before
     * it has read them all. For a request that does not stream: a dropped connection, without this
     * fault's headers, logged as one ({@link #dropConnection()}, status 0).
     *
     * @throws IllegalArgumentException if {@code tokens} is negative
     */
    public static Fault cutMidStream(int tokens) {
        return of(Kind.CUT_MID_STREAM, 200, Duration.ZERO, null, tokens("tokens", tokens));
    }

    /**
     * For a streamed request: {@code tokens} content chunks, then an event whose data is not JSON
     * ({@code 0}: the first chunk is the malformed one). For a request that does not stream: a
     * malformed body, logged as one.
     *
     * @throws IllegalArgumentException if {@code tokens} is negative
     */
    public static Fault malformedChunk(int tokens) {
        return of(Kind.MALFORMED_CHUNK, 200, Duration.ZERO, null, tokens("tokens", tokens));
    }

    private static int tokens(String name, int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + tokens);
        }
        return tokens;
    }

    /**
     * The longest wait a fault takes, for every factory that takes one: {@code Long.MAX_VALUE}
     * nanoseconds (about 292 years), what the server can time and {@code retry-after-ms} can carry.
     */
    public static final Duration MAX_WAIT = Duration.ofNanos(Long.MAX_VALUE);

    /** The one check of every wait and delay a factory takes: not null, not negative, at most {@link #MAX_WAIT}. */
    private static Duration wait(String name, Duration d) {
        if (Objects.requireNonNull(d, name).isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        if (d.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_WAIT
                    + " (Long.MAX_VALUE nanoseconds, about 292 years), was " + d);
        }
        return d;
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
        return of(Kind.STATUS, status, Duration.ZERO, null, 0);
    }

    /**
     * This fault with one more response header (e.g. {@code x-ratelimit-reset-requests: 2s}); a header
     * of the same name, in any case, is replaced (HTTP field names are case-insensitive).
     *
     * @throws IllegalArgumentException if {@code name} is not an HTTP token (RFC 9110, section 5.6.2:
     *     letters, digits and {@code !#$%&'*+-.^_`|~}), or {@code value} holds a control character (CR,
     *     LF, any other below U+0020 but the tab, or DEL) or one above U+00FF: such a header cannot be sent
     * @throws IllegalStateException for a dropped connection, which sends no headers
     */
    public Fault withHeader(String name, String value) {
        HeaderRules.check(name, value);
        if (kind == Kind.DROP_CONNECTION) {
            throw new IllegalStateException("a dropped connection sends no headers");
        }
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.keySet().removeIf(name::equalsIgnoreCase);
        more.put(name, value);
        return new Fault(kind, status, Map.copyOf(more), delay, detail, tokens);
    }

    // ---- provider error shapes and stopped answers (LLM failures) ----

    /**
     * Any HTTP error status with {@code body} sent as is (a provider's own error JSON).
     *
     * @throws IllegalArgumentException if {@code status} is not within 400..599
     */
    public static Fault providerError(int status, String body) {
        Objects.requireNonNull(body, "body");
        return of(Kind.PROVIDER_ERROR, status(status).status, Duration.ZERO, body, 0);
    }

    /**
     * OpenAI's quota 429: the account is out of credit ({@code "type": "insufficient_quota"}). Retrying
     * never helps.
     */
    public static Fault quotaExhausted() {
        return providerError(429, ProviderBodies.OPENAI_INSUFFICIENT_QUOTA);
    }

    /** Azure OpenAI's quota 429: {@code "code": "InsufficientQuota"}. */
    public static Fault azureQuotaExhausted() {
        return providerError(429, ProviderBodies.AZURE_INSUFFICIENT_QUOTA);
    }

    /** Anthropic's 402 {@code billing_error}: the credit balance is too low. */
    public static Fault anthropicBillingError() {
        return providerError(402, ProviderBodies.ANTHROPIC_BILLING_ERROR);
    }

    /**
     * Anthropic's 429 {@code rate_limit_error} with no Retry-After, only
     * {@code anthropic-ratelimit-requests-remaining: 0} and {@code anthropic-ratelimit-requests-reset}
     * at {@code reset} (RFC 3339).
     */
    public static Fault anthropicRateLimited(Instant reset) {
        Objects.requireNonNull(reset, "reset");
        return providerError(429, ProviderBodies.ANTHROPIC_RATE_LIMIT_ERROR)
                .withHeader("anthropic-ratelimit-requests-remaining", "0")
                .withHeader("anthropic-ratelimit-requests-reset", DateTimeFormatter.ISO_INSTANT.format(reset));
    }

    /**
     * Gemini's 429 {@code RESOURCE_EXHAUSTED} for a per-minute limit, with the wait in the body only
     * ({@code google.rpc.RetryInfo.retryDelay}, whole or fractional seconds as a plain decimal, to the
     * nanosecond: {@code 1.5s}, {@code 10000000s}).
     *
     * @throws IllegalArgumentException if {@code retryDelay} is negative or longer than {@link #MAX_WAIT}
     */
    public static Fault geminiRateLimited(Duration retryDelay) {
        wait("retryDelay", retryDelay);
        String seconds = java.math.BigDecimal.valueOf(retryDelay.getSeconds())
                .add(java.math.BigDecimal.valueOf(retryDelay.getNano(), 9)).stripTrailingZeros().toPlainString();
        return providerError(429, ProviderBodies.geminiResourceExhausted(
                "GenerateRequestsPerMinutePerProjectPerModel", "15", seconds + "s"));
    }

    /** Gemini's 429 {@code RESOURCE_EXHAUSTED} for a per-day quota: no retry helps before tomorrow. */
    public static Fault geminiDailyQuotaExhausted() {
        return providerError(429, ProviderBodies.geminiResourceExhausted(
                "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "20", "35000s"));
    }

    /**
     * 429 with the IETF fields only: {@code RateLimit-Policy: "default";q=100;w=60} and
     * {@code RateLimit: "default";r=0;t=<reset in whole seconds, rounded up>}.
     *
     * @throws IllegalArgumentException if {@code reset} is negative or longer than {@link #MAX_WAIT}
     */
    public static Fault ietfRateLimited(Duration reset) {
        wait("reset", reset);
        return status(429).withHeader("RateLimit-Policy", "\"default\";q=100;w=60")
                .withHeader("RateLimit", "\"default\";r=0;t=" + secondsRoundedUp(reset));
    }

    /** 200, {@code finish_reason: "length"}: the answer cut off at its first half. */
    public static Fault truncatedAnswer() {
        return of(Kind.STOPPED_ANSWER, 200, Duration.ZERO, "length", 0);
    }

    /** 200, {@code finish_reason: "content_filter"}, no content. */
    public static Fault contentFiltered() {
        return of(Kind.STOPPED_ANSWER, 200, Duration.ZERO, "content_filter", 0);
    }

    /** 200, {@code finish_reason: "stop"}, and an empty answer. */
    public static Fault blankAnswer() {
        return of(Kind.STOPPED_ANSWER, 200, Duration.ZERO, "stop", 0);
    }

    /**
     * For {@link Kind#PROVIDER_ERROR}, the error body sent; for {@link Kind#STOPPED_ANSWER}, the
     * finish reason; otherwise null.
     */
    public String detail() {
        return detail;
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
     * What this fault serves to a request that streams or not: itself, except that a request that does
     * not stream gets a {@link Kind#CUT_MID_STREAM} as a dropped connection (no status, no headers), a
     * {@link Kind#MALFORMED_CHUNK} as a malformed body and a {@link Kind#STALL_BEFORE_FIRST_TOKEN} as a
     * slow answer, as their kinds say: what {@link ServedRequest#fault()} records.
     */
    Fault servedTo(boolean streamed) {
        if (streamed) {
            return this;
        }
        switch (kind) {
            case CUT_MID_STREAM:
                return dropConnection();
            case MALFORMED_CHUNK:
                return new Fault(Kind.MALFORMED_BODY, status, headers, delay, detail, 0);
            case STALL_BEFORE_FIRST_TOKEN:
                return new Fault(Kind.SLOW_ANSWER, status, headers, delay, detail, 0);
            default:
                return this;
        }
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
     * Equal when every part of what is served is: the kind, the status, the headers (names compared
     * without case, as HTTP does), the delay, the detail and the tokens.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Fault)) {
            return false;
        }
        Fault f = (Fault) o;
        return kind == f.kind && status == f.status && tokens == f.tokens && delay.equals(f.delay)
                && Objects.equals(detail, f.detail) && HeaderRules.byLowerCaseName(headers)
                        .equals(HeaderRules.byLowerCaseName(f.headers));
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, status, HeaderRules.byLowerCaseName(headers), delay, detail, tokens);
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
            case STALL_UNTIL_RELEASED:
                return "stall until released";
            case CUT_MID_STREAM:
                return "cut after " + tokens + " tokens";
            case MALFORMED_CHUNK:
                return "malformed chunk after " + tokens + " tokens";
            case DROP_CONNECTION:
                return "dropped";
            case MALFORMED_BODY:
                return "malformed";
            case STOPPED_ANSWER:
                return "200 finish_reason=" + detail;
            default:
                String retryAfter = HeaderRules.byLowerCaseName(headers).get("retry-after");
                return retryAfter == null ? Integer.toString(status) : status + " Retry-After=" + retryAfter;
        }
    }
}
