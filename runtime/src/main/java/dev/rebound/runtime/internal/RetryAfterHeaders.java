package dev.rebound.runtime.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads a server's suggested wait from the headers of a failed HTTP response, in nanoseconds
 * (0 = none). In order of precedence:
 * <ol>
 *   <li>{@code retry-after-ms} (OpenAI, Azure): milliseconds;</li>
 *   <li>{@code Retry-After} (RFC 9110): delay-seconds or an HTTP date;</li>
 *   <li>{@code x-ratelimit-reset-requests} / {@code x-ratelimit-reset-tokens} (OpenAI): a duration
 *       such as {@code 1s}, {@code 6m0s}, {@code 20ms}, or plain seconds ({@link #duration}, as the rate
 *       limiter reads them); of the limits whose
 *       {@code x-ratelimit-remaining-*} is 0, else (on a 429 only) the longer;</li>
 *   <li>{@code anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset} (Anthropic):
 *       RFC 3339 instants; of the limits whose {@code -remaining} is 0, else (on a 429 only) the latest;</li>
 *   <li>{@code RateLimit} (IETF draft-ietf-httpapi-ratelimit-headers, structured fields such as
 *       {@code "default";r=0;t=30}): the {@code t} seconds of the policies whose remaining
 *       {@code r} is 0, else (on a 429 only) the longest; a policy without {@code t} waits its window
 *       {@code w} from {@code RateLimit-Policy};</li>
 *   <li>{@code RateLimit-Reset} / {@code X-RateLimit-Reset}: delta seconds, or epoch seconds when
 *       the value is a date; when its {@code RateLimit-Remaining} / {@code X-RateLimit-Remaining} is
 *       0, else on a 429 only.</li>
 * </ol>
 * Providers send the reset headers on every response, and a reset is when the limit is whole again
 * (OpenAI: "resets to its initial state"; Anthropic: "fully replenished"), not when the next request
 * may go. So a reset is a wait only for a limit the response says is used up, or on a 429, which says
 * some limit is and leaves the latest reset as the only bound given. A 5xx carrying a provider's
 * everyday headers (149,984 of 150,000 tokens left, whole again in {@code 6m0s}) is a plain 5xx: only
 * {@code retry-after-ms} and {@code Retry-After} make it wait.
 * {@link #shouldRetry} reads {@code x-should-retry} (OpenAI, Anthropic).
 * Unparseable values are ignored.
 */
public final class RetryAfterHeaders {

    /** The longest number read as one: a header of more characters than this is not a wait but garbage. */
    static final int MAX_NUMBER_LENGTH = 256;

    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** A reset value above this is an epoch second, not a delta (2001-09-09). */
    private static final long EPOCH_SECONDS_THRESHOLD = 1_000_000_000L;
    private static final int TOO_MANY_REQUESTS = 429;

    private RetryAfterHeaders() {
    }

    /**
     * The suggested wait of a response with {@code status}, or 0 for a success or no usable header.
     *
     * @param header a case-insensitive lookup of the first value of a header, null if absent
     * @param clock the wall clock, for HTTP dates and epoch resets
     */
    public static long hintNanos(int status, Function<String, String> header, Clock clock) {
        if (status < 400) {
            return 0L;
        }
        long ms = decimal(header.apply("retry-after-ms"), NANOS_PER_MILLI);
        if (ms >= 0) {
            return ms;
        }
        String retryAfter = header.apply("retry-after");
        if (retryAfter != null) {
            long seconds = decimal(retryAfter, NANOS_PER_SECOND);
            if (seconds >= 0) {
                return seconds;
            }
            long date = untilDate(retryAfter.trim(), clock);
            if (date >= 0) {
                return date;
            }
        }
        boolean tooManyRequests = status == TOO_MANY_REQUESTS;
        long requests = duration(header.apply("x-ratelimit-reset-requests"));
        long tokens = duration(header.apply("x-ratelimit-reset-tokens"));
        boolean requestsOut = "0".equals(trim(header.apply("x-ratelimit-remaining-requests")));
        boolean tokensOut = "0".equals(trim(header.apply("x-ratelimit-remaining-tokens")));
        long reset = requestsOut || tokensOut
                ? Math.max(requestsOut ? requests : -1, tokensOut ? tokens : -1)
                : tooManyRequests ? Math.max(requests, tokens) : -1L;
        if (reset >= 0) {
            return reset;
        }
        long anthropic = anthropicReset(header, clock, tooManyRequests);
        if (anthropic >= 0) {
            return anthropic;
        }
        long ietf = ietfRateLimit(header.apply("ratelimit"), header.apply("ratelimit-policy"), tooManyRequests);
        if (ietf >= 0) {
            return ietf;
        }
        String generic = header.apply("ratelimit-reset");
        String remaining = header.apply("ratelimit-remaining");
        if (generic == null) {
            generic = header.apply("x-ratelimit-reset");
            remaining = header.apply("x-ratelimit-remaining");
        }
        if (!tooManyRequests && !"0".equals(trim(remaining))) {
            return 0L;
        }
        long value = decimal(generic, 1L);
        if (value >= 0) {
            if (value > EPOCH_SECONDS_THRESHOLD) {
                long delta = value - clock.millis() / 1000;
                return delta > 0 ? saturatedMultiply(delta, NANOS_PER_SECOND) : 0L;
            }
            return saturatedMultiply(value, NANOS_PER_SECOND);
        }
        return 0L;
    }

    /**
     * What {@code x-should-retry} says: {@link Boolean#TRUE} or {@link Boolean#FALSE}, or null when
     * absent or neither.
     */
    public static Boolean shouldRetry(Function<String, String> header) {
        String v = trim(header.apply("x-should-retry"));
        if ("true".equalsIgnoreCase(v)) {
            return Boolean.TRUE;
        }
        return "false".equalsIgnoreCase(v) ? Boolean.FALSE : null;
    }

    private static final String[] ANTHROPIC_LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};

    /**
     * Anthropic's resets (RFC 3339): of the limits at 0 remaining, else (when {@code anyLimit}) all, the
     * latest; -1 if none.
     */
    private static long anthropicReset(Function<String, String> header, Clock clock, boolean anyLimit) {
        long any = -1L;
        long exhausted = -1L;
        for (String limit : ANTHROPIC_LIMITS) {
            String value = trim(header.apply("anthropic-ratelimit-" + limit + "-reset"));
            if (value == null) {
                continue;
            }
            long wait;
            try {
                long deltaMillis = java.time.OffsetDateTime.parse(value).toInstant().toEpochMilli() - clock.millis();
                wait = deltaMillis > 0 ? saturatedMultiply(deltaMillis, NANOS_PER_MILLI) : 0L;
            } catch (DateTimeParseException e) {
                continue;
            }
            any = Math.max(any, wait);
            if ("0".equals(trim(header.apply("anthropic-ratelimit-" + limit + "-remaining")))) {
                exhausted = Math.max(exhausted, wait);
            }
        }
        return exhausted >= 0 || !anyLimit ? exhausted : any;
    }

    /**
     * The IETF {@code RateLimit} field: a list of {@code "policy";r=remaining;t=seconds} items. Of
     * the items with {@code r=0}, else (when {@code anyPolicy}) all, the longest {@code t}; an item
     * without {@code t} takes the window {@code w} of its policy in {@code RateLimit-Policy}. -1 if
     * nothing usable.
     */
    static long ietfRateLimit(String rateLimit, String policies, boolean anyPolicy) {
        if (rateLimit == null || rateLimit.isBlank()) {
            return -1L;
        }
        long any = -1L;
        long exhausted = -1L;
        for (String item : rateLimit.split(",")) {
            String[] parts = item.split(";");
            String name = parts[0].trim();
            long remaining = -1L;
            long t = -1L;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("r=")) {
                    remaining = decimal(p.substring(2), 1L);
                } else if (p.startsWith("t=")) {
                    t = decimal(p.substring(2), NANOS_PER_SECOND);
                }
            }
            if (t < 0) {
                t = policyWindow(policies, name);
            }
            if (t < 0) {
                continue;
            }
            any = Math.max(any, t);
            if (remaining == 0) {
                exhausted = Math.max(exhausted, t);
            }
        }
        return exhausted >= 0 || !anyPolicy ? exhausted : any;
    }

    /** The window {@code w} in nanoseconds of policy {@code name} in a {@code RateLimit-Policy} field; -1 if none. */
    private static long policyWindow(String policies, String name) {
        if (policies == null) {
            return -1L;
        }
        for (String item : policies.split(",")) {
            String[] parts = item.split(";");
            if (!parts[0].trim().equals(name)) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("w=")) {
                    return decimal(p.substring(2), NANOS_PER_SECOND);
                }
            }
        }
        return -1L;
    }

    /**
     * A non-negative decimal number times {@code unitNanos}, saturated at {@code Long.MAX_VALUE} however
     * many digits it has (RFC 9110's delay-seconds is {@code 1*DIGIT}: more digits are a longer wait,
     * never none); -1 if absent, not such a number, or longer than {@link #MAX_NUMBER_LENGTH} characters.
     */
    private static long decimal(String value, long unitNanos) {
        String v = trim(value);
        if (v == null || v.isEmpty() || v.length() > MAX_NUMBER_LENGTH) {
            return -1L;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return -1L;
            }
        }
        try {
            double d = Double.parseDouble(v) * unitNanos;
            return d >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(d);
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    /** asctime's form ({@code Sun Nov  6 08:49:37 1994}): no zone, GMT by definition. */
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("EEE MMM ppd HH:mm:ss yyyy").toFormatter(Locale.US);

    /**
     * The wait until an HTTP date, in any of the three forms a recipient must accept (RFC 9110, section
     * 5.6.7): the IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}), RFC 850's
     * ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and asctime's; -1 if it is none of them.
     */
    private static long untilDate(String value, Clock clock) {
        Instant when = httpDate(value, clock);
        if (when == null) {
            return -1L;
        }
        long deltaMillis = when.toEpochMilli() - clock.millis();
        return deltaMillis > 0 ? saturatedMultiply(deltaMillis, NANOS_PER_MILLI) : 0L;
    }

    private static Instant httpDate(String value, Clock clock) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException notImf) {
            // one of the obsolete forms
        }
        try {
            // a two-digit year more than 50 years ahead is the most recent past year with those digits
            int base = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).getYear() - 49;
            DateTimeFormatter rfc850 = new DateTimeFormatterBuilder().parseCaseInsensitive()
                    .appendPattern("EEEE, dd-MMM-").appendValueReduced(ChronoField.YEAR, 2, 2, base)
                    .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US);
            return LocalDateTime.parse(value, rfc850).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notRfc850) {
            // asctime, or nothing
        }
        try {
            return LocalDateTime.parse(value, ASCTIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException none) {
            return null;
        }
    }

    /**
     * A reset or delay as providers send it, in nanoseconds: a Go-style duration ({@code 1h2m3.5s},
     * {@code 6m0s}, {@code 20ms}, {@code 0.5s}, with {@code h}, {@code m}, {@code s}, {@code ms},
     * {@code us}/{@code µs}/{@code μs}, {@code ns}) or plain seconds ({@code 2}, {@code 1.5}); saturated at
     * {@code Long.MAX_VALUE}; -1 if absent, malformed or longer than {@link #MAX_NUMBER_LENGTH} characters
     * (garbage, as for every other number here). The one reading of {@code x-ratelimit-reset-*}, for
     * the retry's wait ({@link #hintNanos}) and the rate limiter's correction
     * ({@link dev.rebound.runtime.ratelimit.RateLimitHeaders#parse}) alike, and of Gemini's {@code retryDelay}.
     */
    public static long duration(String value) {
        String v = trim(value);
        if (v == null || v.isEmpty() || v.length() > MAX_NUMBER_LENGTH) {
            return -1L;
        }
        double total = 0;
        int i = 0;
        while (i < v.length()) {
            int start = i;
            while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return -1L;
            }
            double number;
            try {
                number = Double.parseDouble(v.substring(start, i));
            } catch (NumberFormatException e) {
                return -1L;
            }
            int unitStart = i;
            while (i < v.length() && Character.isLetter(v.charAt(i))) {
                i++;
            }
            double scale;
            switch (v.substring(unitStart, i)) {
                case "h": scale = 3600.0 * NANOS_PER_SECOND; break;
                case "m": scale = 60.0 * NANOS_PER_SECOND; break;
                case "":
                case "s": scale = NANOS_PER_SECOND; break;
                case "ms": scale = NANOS_PER_MILLI; break;
                case "us":
                case "\u00b5s": // micro sign
                case "\u03bcs": scale = 1_000; break; // Greek mu, as Go accepts too
                case "ns": scale = 1; break;
                default: return -1L;
            }
            total += number * scale;
        }
        return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(total);
    }

    private static long saturatedMultiply(long a, long b) {
        long r = a * b;
        return a != 0 && (r / a != b || r < 0) ? Long.MAX_VALUE : r;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
