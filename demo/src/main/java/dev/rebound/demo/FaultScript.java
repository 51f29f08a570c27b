package dev.rebound.demo;

import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** What the embedded server does to the demo's models; chosen with --faults=NAME or REBOUND_FAULTS. */
public enum FaultScript {

    OUTAGE("gpt-4 fails with 503, is rate-limited (429, Retry-After 300 ms), fails again; the chain falls back",
            s -> s.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofMillis(300)), Fault.unavailable())),
    HEALTHY("every model answers at once", s -> { }),
    RATE_LIMIT("gpt-4 is rate-limited twice (Retry-After 200 ms, then 400 ms), then answers",
            s -> s.script("gpt-4", Fault.rateLimited(Duration.ofMillis(200)), Fault.rateLimited(Duration.ofMillis(400)))),
    TIMEOUT("gpt-4 answers after the client's 1 s timeout, twice; its third attempt is on time", Duration.ofSeconds(1),
            false, s -> s.script("gpt-4", Fault.slowAnswer(Duration.ofMillis(2500)),
                    Fault.slowAnswer(Duration.ofMillis(2500)))),
    FLAKY("gpt-4 drops the connection, then sends a malformed body, then answers",
            s -> s.script("gpt-4", Fault.dropConnection(), Fault.malformedBody())),
    AUTH("gpt-4 rejects the key (401): not retried, straight to gpt-3.5-turbo",
            s -> s.always("gpt-4", Fault.status(401))),
    CASCADE("gpt-4 is down (503), gpt-3.5-turbo too (500); gpt-3.5-turbo-16k answers",
            s -> s.always("gpt-4", Fault.unavailable()).always("gpt-3.5-turbo", Fault.serverError())),
    QUOTA("gpt-4's account is out of credit (429 insufficient_quota): not retried, straight to gpt-3.5-turbo",
            s -> s.always("gpt-4", Fault.quotaExhausted())),
    TRUNCATED("gpt-4 and gpt-3.5-turbo cut their answers off (finish_reason length): no retries, the 16k model "
            + "answers (not with --stream)", Defaults.CLIENT_TIMEOUT, false, true,
            s -> s.always("gpt-4", Fault.truncatedAnswer()).always("gpt-3.5-turbo", Fault.truncatedAnswer())),
    ALL_DOWN("every model is down: the caller gets gpt-4's last failure, the rest of the history suppressed on it",
            s -> s.always("gpt-4", Fault.unavailable()).always("gpt-3.5-turbo", Fault.serverError())
                    .always("gpt-3.5-turbo-16k", Fault.unavailable())),
    STREAM_EARLY("(streams) gpt-4's stream fails before its first token three times (503, cut, 503):"
            + " retried unseen, then gpt-3.5-turbo streams the answer", Defaults.CLIENT_TIMEOUT, true,
            s -> s.script("gpt-4", Fault.unavailable(), Fault.cutMidStream(0), Fault.unavailable())),
    STREAM_MIDWAY("(streams) gpt-4's stream breaks after 3 tokens: never restarted, the caller keeps the"
            + " partial text and gets PartialStreamException", Defaults.CLIENT_TIMEOUT, true,
            s -> s.script("gpt-4", Fault.cutMidStream(3)));

    private final String description;
    private final Duration clientTimeout;
    private final boolean streams;
    private final boolean judgesAnswers;
    private final Consumer<ModelServer> script;

    FaultScript(String description, Consumer<ModelServer> script) {
        this(description, Defaults.CLIENT_TIMEOUT, false, script);
    }

    FaultScript(String description, Duration clientTimeout, boolean streams, Consumer<ModelServer> script) {
        this(description, clientTimeout, streams, false, script);
    }

    FaultScript(String description, Duration clientTimeout, boolean streams, boolean judgesAnswers,
            Consumer<ModelServer> script) {
        this.description = description;
        this.clientTimeout = clientTimeout;
        this.streams = streams;
        this.judgesAnswers = judgesAnswers;
        this.script = script;
    }

    /** What a constant's initializer may read (an enum's own static fields come after its constants). */
    private static final class Defaults {
        static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
    }

    /** Scripts the server. */
    void apply(ModelServer server) {
        script.accept(server);
    }

    /** Whether the script is about streams: it turns on --stream. */
    boolean streams() {
        return streams;
    }

    /**
     * Whether the script's point is an answer the chain judges (a cut-off answer goes to the next model):
     * the streaming chain has no such rule, so --stream refuses it.
     */
    boolean judgesAnswers() {
        return judgesAnswers;
    }

    /** The models' HTTP timeout under this script (default 5 s). */
    Duration clientTimeout() {
        return clientTimeout;
    }

    public String description() {
        return description;
    }

    /** {@code rate-limit} for RATE_LIMIT. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The script named {@code name} ({@code outage}, {@code rate-limit}, ...).
     *
     * @throws IllegalArgumentException naming the known scripts
     */
    public static FaultScript named(String name) {
        for (FaultScript s : values()) {
            if (s.cliName().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown fault script '" + name + "'; known: "
                + Arrays.stream(values()).map(FaultScript::cliName).collect(Collectors.joining(", ")));
    }
}
