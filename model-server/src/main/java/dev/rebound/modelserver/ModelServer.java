package dev.rebound.modelserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An OpenAI-compatible chat-completions server on a free loopback port, with a fault script per
 * model, for tests and demos. Point langchain4j's {@code OpenAiChatModel} at it with
 * {@code baseUrl(server.baseUrl())}; any API key is accepted.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start()) {
 *     server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofSeconds(1)));
 *     ... // gpt-4 answers 503, then 429, then answers
 *     assertThat(server.requests("gpt-4")).isEqualTo(3);
 * }
 * }</pre>
 *
 * <p>Answers are deterministic: by default {@link #answerFor(String, String)}, naming the model and
 * a digest of the prompt. A request's prompt is the text of every one of its messages, system message
 * and earlier turns included, joined by {@code "\n"} (the text parts only of a multi-part message): a
 * request with the system message {@code "Be brief."} and the user message {@code "Hello"} is answered
 * {@code answerFor(model, "Be brief.\nHello")}; an image or other part that is not text, and a message
 * without content, add nothing. That string is what {@link #scriptForPrompt} matches and what
 * {@link ServedRequest#promptDigest()} digests.
 *
 * <p>A request that is no chat request (a body that is not JSON, not a JSON object, or without a
 * {@code model} string or a {@code messages} array) and any other path are answered as OpenAI does, 400
 * (404 for the path) with an {@code invalid_request_error} body, and are neither counted nor logged.
 * Error bodies have OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}, {@code code}
 * being OpenAI's identifier of the error or null, never the HTTP status ({@code rate_limit_exceeded},
 * with the {@code type} {@code requests}, for a 429).
 *
 * <p>{@code POST .../chat/completions} is served whole, or as OpenAI's server-sent events when the
 * request has {@code "stream": true}: one {@code chat.completion.chunk} per token of the answer
 * ({@link #tokensOf}), a last chunk with {@code finish_reason}, a usage chunk when
 * {@code stream_options.include_usage} is set, then {@code data: [DONE]}. The streaming faults
 * ({@link Fault#stallBeforeFirstToken}, {@link Fault#stallUntilReleased}, {@link Fault#cutMidStream},
 * {@link Fault#malformedChunk}) and every other fault apply to streamed requests too; each is counted
 * and logged like any request. A test waits for the server's state, never for a time: until streams are
 * stalled ({@link #awaitStalled}), until the server has ended its exchanges, a cut written and its
 * connection closed ({@link #awaitExchangesEnded}). Thread-safe.
 */
public final class ModelServer implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; with Nagle on, the body waits for the
        // client's delayed ACK: 40 ms a response on Linux loopback. Read once, at first server start.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final String HOST = "127.0.0.1";

    private final HttpServer http;
    private final ExecutorService handlers;
    private final Responder responder;
    private final AtomicInteger sequence = new AtomicInteger();
    private final FaultScripts scripts = new FaultScripts();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<ServedRequest> log = new ArrayList<>();
    private final Map<String, RequestsPerMinute> limits = new LinkedHashMap<>();
    private final Stalls stalls = new Stalls();
    private final EndedExchanges ended = new EndedExchanges();

    private ModelServer(HttpServer http, ExecutorService handlers, BiFunction<String, String, String> answers) {
        this.http = http;
        this.handlers = handlers;
        this.responder = new Responder(answers, stalls);
    }

    /**
     * Starts a server on 127.0.0.1 (whatever {@code java.net.preferIPv6Addresses} says) and a free port.
     * Its threads are daemons: a server never closed does not keep the JVM running.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public static ModelServer start() {
        return start(ModelServer::answerFor);
    }

    /**
     * Starts a server whose answers are {@code answers.apply(model, prompt)}: keep it deterministic.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public static ModelServer start(BiFunction<String, String, String> answers) {
        Objects.requireNonNull(answers, "answers");
        ExecutorService handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "model-server");
            t.setDaemon(true);
            return t;
        });
        try {
            // 127.0.0.1 by its address, not getLoopbackAddress(): that is ::1 under -Djava.net.preferIPv6Addresses=true
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), 0), 0);
            ModelServer server = new ModelServer(http, handlers, answers);
            http.createContext("/", server::handle);
            http.setExecutor(server.ended.endingOn(handlers));
            startOnADaemonThread(http, handlers);
            return server;
        } catch (IOException e) {
            handlers.shutdownNow();
            throw new UncheckedIOException("cannot start the model server", e);
        }
    }

    /**
     * Starts {@code http} from one of the (daemon) handler threads and waits for it: the JDK server's
     * dispatcher thread takes the daemon status of the thread that calls {@code start()}, and a server
     * nobody stopped must not keep the JVM running.
     */
    private static void startOnADaemonThread(HttpServer http, ExecutorService handlers) {
        Future<?> started = handlers.submit(http::start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    started.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the start takes microseconds: finish it, keep the flag
                } catch (ExecutionException e) {
                    throw new IllegalStateException("cannot start the model server", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The port bound. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/v1}: what {@code OpenAiChatModel.builder().baseUrl(...)} takes. */
    public String baseUrl() {
        return "http://" + HOST + ":" + port() + "/v1";
    }

    /**
     * The next requests for {@code model} get {@code steps}, in order; after them, answers. Replaces
     * the model's previous script (prompt scripts stay).
     */
    public synchronized ModelServer script(String model, Fault... steps) {
        scripts.script(model, steps, null);
        return this;
    }

    /** Every request for {@code model} gets {@code fault}, until scripted again or {@link #reset}. */
    public synchronized ModelServer always(String model, Fault fault) {
        scripts.script(model, new Fault[0], Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * Requests for {@code model} whose prompt contains {@code promptContains} get {@code steps}, in
     * order, before the model's own script is consulted; after them, answers. For per-input faults
     * in a batch. The prompt is every message of the request joined by {@code "\n"}, the system message
     * included (see the class comment), so a part of the user's message matches whatever comes before it.
     */
    public synchronized ModelServer scriptForPrompt(String model, String promptContains, Fault... steps) {
        scripts.scriptForPrompt(model, promptContains, steps);
        return this;
    }

    /**
     * Enforces a provider's requests-per-minute limit on {@code model}, as OpenAI does: a bucket of
     * {@code requestsPerMinute} that refills continuously and starts full. A request over it gets a 429
     * with {@code Retry-After} (whole seconds) instead of its script; every request within it also
     * carries {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests} and
     * {@code x-ratelimit-reset-requests}. Real time. Replaces the model's previous limit.
     *
     * @throws IllegalArgumentException if {@code requestsPerMinute} is below 1
     */
    public synchronized ModelServer limitRequestsPerMinute(String model, int requestsPerMinute) {
        limits.put(Objects.requireNonNull(model, "model"), new RequestsPerMinute(requestsPerMinute, System.nanoTime()));
        return this;
    }

    /** How many requests for {@code model} its requests-per-minute limit refused with a 429. */
    public synchronized int rateLimited(String model) {
        RequestsPerMinute limit = limits.get(model);
        return limit == null ? 0 : limit.refused();
    }

    /** How many requests {@code model} received. */
    public synchronized int requests(String model) {
        return counts.getOrDefault(model, 0);
    }

    /** Requests received per model, in order of first arrival. */
    public synchronized Map<String, Integer> requestCounts() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /**
     * Every request received, in arrival order, with what it was served ({@link ServedRequest#fault()}),
     * logged when the request arrives. A response that could not begin (the {@code answers} function
     * failed) is logged as the dropped connection the client got; a client that went away before its
     * response (a timeout on a slow answer) is logged with the fault it was served all the same.
     */
    public synchronized List<ServedRequest> log() {
        return List.copyOf(log);
    }

    /**
     * Ends every stall of {@link Fault#stallUntilReleased()} now open: their tokens stream, and
     * {@link #awaitStalled} no longer counts them, even before their handlers wake. Stalls that open later
     * wait for the next release.
     */
    public void releaseStalls() {
        stalls.releaseAll();
    }

    /**
     * Waits until {@code streams} streams are open and silent under {@link Fault#stallUntilReleased()}
     * (a condition, not a time); false if {@code timeout} passes first. Counted from when each stall
     * opens until it is released ({@link #releaseStalls()}, {@link #reset()}): a stalled stream whose
     * client has gone away (timed out, cancelled) still counts until then, as the server learns that
     * only when it writes.
     *
     * @throws IllegalArgumentException if {@code streams} is negative or {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitStalled(int streams, Duration timeout) throws InterruptedException {
        Waits.check("awaitStalled", "streams", streams, timeout);
        return stalls.await(streams, timeout);
    }

    /**
     * Waits until the server has ended its exchange with {@code exchanges} of the requests in {@link #log()}
     * (a condition, not a time); false if {@code timeout} passes first. An exchange ends once the server has
     * written all it will write of its response and is done with the connection: closed it after a
     * {@link Fault#cutMidStream cut} or a {@link Fault#dropConnection dropped connection} (at least for
     * writing: the client's next read finds the end of the stream); after a whole response, sent all of it
     * (the connection stays open for the client's next request). A client that reads from then on finds every
     * byte sent, then, for a cut, the end: a test that wants its client to read only after the cut waits for
     * this instead of sleeping.
     *
     * <pre>{@code
     * server.script("gpt-4", Fault.cutMidStream(2));
     * ... // send a streamed request, read nothing yet
     * // the cut is written, the connection closed:
     * assertThat(server.awaitExchangesEnded(1, Duration.ofSeconds(10))).isTrue();
     * ... // read: the 2 tokens, then the end of the stream
     * }</pre>
     *
     * <p>Counted from the start or the last {@link #reset()}: a request the reset forgot does not count when
     * its exchange ends after it (a stall the reset released), nor does a request that is no chat request
     * (neither counted nor logged). An exchange whose client has gone away ends all the same, once the server
     * has given up writing to it; one held by a stall ends only after its release.
     *
     * @throws IllegalArgumentException if {@code exchanges} is negative or {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitExchangesEnded(int exchanges, Duration timeout) throws InterruptedException {
        Waits.check("awaitExchangesEnded", "exchanges", exchanges, timeout);
        return ended.await(exchanges, timeout);
    }

    /**
     * Forgets scripts, limits, counts, the log and the exchanges ended; releases the stalls still open, which
     * {@link #awaitStalled} stops counting at once: nothing of the previous test is left.
     */
    public synchronized void reset() {
        stalls.releaseAll();
        ended.forget();
        scripts.clear();
        limits.clear();
        counts.clear();
        log.clear();
        sequence.set(0);
    }

    /** Stops the server; answers still waiting (slow answers) are abandoned. */
    @Override
    public void close() {
        http.stop(0);
        handlers.shutdownNow();
    }

    /**
     * The content of the answer {@code model} gives to {@code prompt}: deterministic. {@code prompt} is
     * the text of every message of the request joined by {@code "\n"}, not only the user's last one: for
     * a system message {@code "Be brief."} then {@code "Hello"}, pass {@code "Be brief.\nHello"}.
     */
    public static String answerFor(String model, String prompt) {
        return model + " answers prompt " + digest(prompt) + ".";
    }

    /** The first 8 hex digits of the SHA-256 of {@code prompt} (UTF-8). */
    public static String digest(String prompt) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean cut = false;
        try {
            respond(exchange);
        } catch (Responder.CutConnection e) {
            cut = true;
            throw e; // the JDK server closes the connection without ending the chunked body
        } finally {
            if (!cut) {
                exchange.close();
            }
        }
    }

    private void respond(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())
                || !exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
            Responder.send(exchange, 404, ChatJson.error("only POST /v1/chat/completions is served",
                    "invalid_request_error", null, null), Map.of());
            return;
        }
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
            request = ChatJson.read(in);
        } catch (IOException e) {
            request = null;
        }
        if (request == null || request.isMissingNode()) { // not JSON, or no body at all
            Responder.send(exchange, 400, ChatJson.error("request body is not JSON", "invalid_request_error", null,
                    null), Map.of());
            return;
        }
        String notAChatRequest = ChatJson.notAChatRequest(request);
        if (notAChatRequest != null) { // neither counted nor logged, as a body that is not JSON
            Responder.send(exchange, 400, notAChatRequest, Map.of());
            return;
        }
        String model = request.path("model").asText();
        String prompt = ChatJson.prompt(request);
        boolean streamed = request.path("stream").asBoolean(false);
        ServedRequest served = record(model, prompt, streamed);
        try {
            if (streamed) {
                responder.stream(exchange, served.fault(), model, prompt,
                        request.path("stream_options").path("include_usage").asBoolean());
            } else {
                responder.serve(exchange, served.fault(), model, prompt);
            }
        } catch (RuntimeException unsent) {
            if (exchange.getResponseCode() == -1) {
                // no response began (the answers function failed, say): the JDK server drops the connection
                relog(served, Fault.dropConnection());
            }
            throw unsent;
        }
    }

    /**
     * Counts and logs a request and picks its fault: what the request gets (a stream fault served to a
     * request that does not stream is the fault its kind says it becomes, see {@link Fault#servedTo}).
     */
    private synchronized ServedRequest record(String model, String prompt, boolean streamed) {
        RequestsPerMinute limit = limits.get(model);
        // the limit first: a request it refuses leaves the scripted step to the next request
        Fault fault = limit == null ? scripts.next(model, prompt)
                : limit.take(() -> scripts.next(model, prompt), System.nanoTime());
        counts.merge(model, 1, Integer::sum);
        ended.begin(); // under this lock, as reset(): the exchange counts for the test that logged it
        ServedRequest served = new ServedRequest(sequence.incrementAndGet(), model, digest(prompt),
                fault.servedTo(streamed), streamed);
        log.add(served);
        return served;
    }

    /** Logs {@code served} as {@code got} instead, unless a {@link #reset} has forgotten it. */
    private synchronized void relog(ServedRequest served, Fault got) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i) == served) {
                log.set(i, new ServedRequest(served.sequence(), served.model(), served.promptDigest(), got,
                        served.streamed()));
                return;
            }
        }
    }

    /**
     * How an answer is streamed: split before each whitespace, so the tokens joined give the answer
     * ({@code "gpt-4 answers prompt 2cf24dba."} is {@code ["gpt-4", " answers", " prompt", " 2cf24dba."]}).
     */
    public static List<String> tokensOf(String answer) {
        return List.of(answer.split("(?<=\\S)(?=\\s)"));
    }
}
