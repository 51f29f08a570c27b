package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.GlobalSettingsScope;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application's advice on a woven method that needs AspectJ's dynamic join point ({@code thisJoinPoint.getArgs()}
 * in a code-style advice, a {@code JoinPoint} parameter of an annotation-style one), woven by ajc beside
 * rebound-weaver: ajc then hands the join point down every around advice of the method, after the call's arguments in
 * the state of their closures. The retries, the alternative, a fallback handler and an open breaker's fallback get
 * exactly the caller's arguments all the same, whichever way the advice is ordered, with nothing observing the call
 * and with a listener: each scenario runs both, and they must agree.
 */
class JoinPointAdviceTest {

    private static final String REBOUND = "dev.rebound.weaver.aspectj.ResilientCalls+";
    private static final String RETRY_FALLBACK = "@dev.rebound.annotations.Retry(attempts = 2, delay = 10)"
            + " @dev.rebound.annotations.Fallback(to = Alt.class)";

    @TempDir
    Path dir;

    /**
     * {@code Api.chat(parameters)}, its primary {@code Primary} (annotated with {@code annotations}, each attempt
     * failing), its alternative {@code Alt}, and {@code Drive.call(Object[])}, which calls the primary with the given
     * arguments and says what came of it. {@code described} is how a body describes its arguments (its parameters
     * are {@code a}, {@code b}, ...).
     */
    private static Map<String, String> app(String parameters, String described, String annotations) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("Log.java", """
                package app;
                public final class Log {
                    public static final java.util.List<String> lines = new java.util.ArrayList<>();
                    public static void add(String line) { lines.add(line); }
                    /** What a method was given: each argument's class and value. */
                    public static String of(Object... args) {
                        StringBuilder b = new StringBuilder();
                        for (Object a : args) {
                            b.append(b.length() == 0 ? "" : ",").append(a == null ? "null" : a.getClass().getSimpleName() + ":" + a);
                        }
                        return b.toString();
                    }
                }
                """);
        s.put("Boom.java", """
                package app;
                public class Boom extends RuntimeException { public Boom(String m) { super(m); } }
                """);
        s.put("Api.java", "package app; public interface Api { String chat(%s); }".formatted(parameters));
        s.put("Alt.java", """
                package app;
                public class Alt implements Api {
                    public String chat(%s) { Log.add("alt got " + %s); return "alt"; }
                }
                """.formatted(parameters, described));
        s.put("Primary.java", """
                package app;
                public class Primary implements Api {
                    public int calls;
                    %s
                    public String chat(%s) {
                        calls++;
                        Log.add("body got " + %s);
                        throw new Boom("b" + calls);
                    }
                }
                """.formatted(annotations, parameters, described));
        String[] types = parameters.isEmpty() ? new String[0] : parameters.split(",");
        StringBuilder cast = new StringBuilder();
        for (int i = 0; i < types.length; i++) {
            cast.append(i == 0 ? "" : ", ").append("(").append(boxed(types[i].trim().split(" ")[0])).append(") args[")
                    .append(i).append("]");
        }
        s.put("Drive.java", """
                package app;
                public final class Drive {
                    static final Primary SHARED = new Primary();
                    public static String call(Object[] args) {
                        Log.lines.clear();
                        SHARED.calls = 0;
                        try {
                            return "returned " + SHARED.chat(%s);
                        } catch (Throwable t) {
                            java.util.List<String> suppressed = new java.util.ArrayList<>();
                            for (Throwable s : t.getSuppressed()) suppressed.add(s.getClass().getSimpleName());
                            return "threw " + t.getClass().getSimpleName() + "(" + t.getMessage() + ") suppressed " + suppressed;
                        }
                    }
                }
                """.formatted(cast));
        return s;
    }

    private static String boxed(String type) {
        return switch (type) {
            case "long" -> "Long";
            case "double" -> "Double";
            case "int" -> "Integer";
            default -> type;
        };
    }

    /** {@link #app} over one parameter {@code type}, the retry and fallback of most scenarios. */
    private static Map<String, String> app(String type) {
        return app(type + " a", "Log.of(a)", RETRY_FALLBACK);
    }

    /** A code-style aspect with one before advice on the primary's method that logs {@code logged}. */
    private static String logging(String precedence, String logged) {
        return """
                package app;
                public aspect Logging {
                    %s
                    before(): execution(* app.Primary.chat(..)) { Log.add("advice saw " + %s); }
                }
                """.formatted(precedence.isEmpty() ? "" : "declare precedence: " + precedence + ";", logged);
    }

    private static final String ARGS = "java.util.Arrays.toString(thisJoinPoint.getArgs())";

    private ClassLoader weave(Map<String, String> sources) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/app"));
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            files.add(Files.writeString(src.resolve(e.getKey()), e.getValue()));
        }
        Path out = dir.resolve("out");
        assertThat(Javac.ajcErrors(out, files)).isEmpty();
        return new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader());
    }

    /** What one call with {@code args} logged and how it ended, nothing observing it. */
    private static List<String> quiet(ClassLoader app, Object... args) {
        return call(app, false, args);
    }

    /** The same with a listener: what it logged must be what the quiet call logged. */
    private static List<String> observed(ClassLoader app, Object... args) {
        return call(app, true, args);
    }

    /** One call with {@code args} quiet, then one with a listener: each logs {@code expected}. */
    private static void bothLog(ClassLoader app, List<String> expected, Object... args) {
        assertThat(quiet(app, args)).as("nothing observing").isEqualTo(expected);
        assertThat(observed(app, args)).as("a listener").isEqualTo(expected);
    }

    /** {@code app} woven with a {@link #logging} aspect logging {@code thisJoinPoint.getArgs()}. */
    private ClassLoader logged(Map<String, String> app, String precedence) throws Exception {
        app.put("Logging.aj", logging(precedence, ARGS));
        return weave(app);
    }

    /** What a call of {@code chat("x")} logs when an advice inside Rebound's logs its arguments. */
    private static final List<String> LOGGED_INSIDE = List.of("advice saw [x]", "body got String:x", "advice saw [x]",
            "body got String:x", "alt got String:x", "returned alt");

    private static List<String> call(ClassLoader app, boolean observed, Object... args) {
        ReboundSettings quiet = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build();
        ReboundSettings settings = observed ? quiet.toBuilder().listener(event -> { }).build() : quiet;
        try (GlobalSettingsScope scope = GlobalSettingsScope.open(settings)) {
            String outcome = (String) app.loadClass("app.Drive").getMethod("call", Object[].class)
                    .invoke(null, (Object) args);
            @SuppressWarnings("unchecked")
            List<String> lines = new ArrayList<>((List<String>) app.loadClass("app.Log").getField("lines").get(null));
            lines.add(outcome);
            return lines;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anAdviceInsideReboundsReadingThisJoinPointLeavesTheAlternativeTheCallersArgument() throws Exception {
        bothLog(logged(app("String"), REBOUND + ", Logging"), LOGGED_INSIDE, "x");
    }

    @Test
    void anAdviceOutsideReboundsReadingThisJoinPointLeavesTheAlternativeTheCallersArgument() throws Exception {
        bothLog(logged(app("String"), "Logging, " + REBOUND), List.of("advice saw [x]", "body got String:x",
                "body got String:x", "alt got String:x", "returned alt"), "x");
    }

    /** As most applications write a tracing aspect: annotation style, a JoinPoint parameter, no precedence. */
    @Test
    void anUnorderedAnnotationStyleBeforeAdviceTakingTheJoinPointLeavesTheAlternativeTheCallersArgument()
            throws Exception {
        Map<String, String> app = app("String");
        app.put("Tracing.java", """
                package app;
                import org.aspectj.lang.JoinPoint;
                import org.aspectj.lang.annotation.*;
                @Aspect
                public class Tracing {
                    @Before("execution(public * app.Primary.*(..))")
                    public void enter(JoinPoint jp) { Log.add("enter " + jp.getSignature().getName()); }
                }
                """);
        ClassLoader woven = weave(app);

        List<String> quiet = quiet(woven, "x");
        assertThat(observed(woven, "x")).isEqualTo(quiet);
        assertThat(quiet).filteredOn(line -> line.startsWith("body")).containsExactly("body got String:x",
                "body got String:x");
        assertThat(quiet.subList(quiet.size() - 2, quiet.size())).containsExactly("alt got String:x", "returned alt");
    }

    /** An Object parameter takes anything: the alternative got AspectJ's JoinPoint in place of the caller's "x". */
    @Test
    void anAlternativeTakingObjectGetsTheCallersArgumentNotTheJoinPoint() throws Exception {
        bothLog(logged(app("Object"), REBOUND + ", Logging"), LOGGED_INSIDE, "x");
    }

    @Test
    void aFallbackHandlerSeesExactlyTheCallsArguments() throws Exception {
        Map<String, String> app = app("String a", "Log.of(a)", "@dev.rebound.annotations.Retry(attempts = 2, delay = 10)"
                + " @dev.rebound.annotations.Fallback(to = Alt.class, handler = Handler.class)");
        app.put("Handler.java", """
                package app;
                public class Handler implements dev.rebound.runtime.FallbackHandler {
                    public Object handle(dev.rebound.runtime.FallbackContext call) throws Throwable {
                        Log.add("handler saw " + Log.of(call.arguments()));
                        return call.next(call.arguments());
                    }
                }
                """);

        bothLog(logged(app, REBOUND + ", Logging"), List.of("advice saw [x]", "body got String:x", "advice saw [x]",
                "body got String:x", "handler saw String:x", "alt got String:x", "returned alt"), "x");
    }

    /** An open breaker: the recovery hands the engine the whole call, and the alternative answers. */
    @Test
    void anOpenBreakersFallbackGetsTheCallersArgument() throws Exception {
        Map<String, String> app = app("String a", "Log.of(a)", "@dev.rebound.annotations.CircuitBreaker("
                + "requestVolumeThreshold = 2, failureRatio = 0.5, delay = 60000)"
                + " @dev.rebound.annotations.Fallback(to = Alt.class)");
        ClassLoader woven = logged(app, REBOUND + ", Logging");

        assertThat(quiet(woven, "x")).containsExactly("advice saw [x]", "body got String:x", "alt got String:x",
                "returned alt");
        assertThat(quiet(woven, "x")).as("the second failure opens the breaker")
                .containsExactly("advice saw [x]", "body got String:x", "alt got String:x", "returned alt");
        assertThat(quiet(woven, "x")).as("open").containsExactly("alt got String:x", "returned alt");
        assertThat(observed(woven, "x")).as("open").containsExactly("alt got String:x", "returned alt");
    }

    /** long and double arguments, up to 3 (the alternative's generated caller) and 4 (its method handle). */
    @Test
    void primitiveArgumentsReachTheAlternativeWhateverTheirNumber() throws Exception {
        ClassLoader three = logged(app("long a, double b, String c", "Log.of(a, b, c)", RETRY_FALLBACK),
                REBOUND + ", Logging");
        bothLog(three, List.of("advice saw [1, 2.5, c]", "body got Long:1,Double:2.5,String:c",
                "advice saw [1, 2.5, c]", "body got Long:1,Double:2.5,String:c", "alt got Long:1,Double:2.5,String:c",
                "returned alt"), 1L, 2.5, "c");

        dir = Files.createDirectories(dir.resolve("four"));
        ClassLoader four = logged(app("long a, double b, String c, int d", "Log.of(a, b, c, d)", RETRY_FALLBACK),
                "Logging, " + REBOUND);
        bothLog(four, List.of("advice saw [1, 2.5, c, 4]", "body got Long:1,Double:2.5,String:c,Integer:4",
                "body got Long:1,Double:2.5,String:c,Integer:4", "alt got Long:1,Double:2.5,String:c,Integer:4",
                "returned alt"), 1L, 2.5, "c", 4);
    }

    @Test
    void aMethodWithoutArgumentsFallsBackWithAJoinPointAfterItsTarget() throws Exception {
        bothLog(logged(app("", "\"nothing\"", RETRY_FALLBACK), REBOUND + ", Logging"), List.of("advice saw []",
                "body got nothing", "advice saw []", "body got nothing", "alt got nothing", "returned alt"));
    }

    // An advice that proceeds with changed arguments (and reads thisJoinPoint): the attempts get what it proceeds with,
    // the alternative what the advice around it had: inside Rebound's, the caller's; outside, the changed ones.

    /** {@link #app(String)} woven with an aspect whose advice proceeds with {@code chat(p + "!")}. */
    private ClassLoader changing(String precedence) throws Exception {
        Map<String, String> app = app("String");
        app.put("Changing.aj", """
                package app;
                public aspect Changing {
                    declare precedence: %s;
                    Object around(String p): execution(* app.Primary.chat(String)) && args(p) {
                        Log.add("advice saw " + thisJoinPoint.getArgs()[0]);
                        return proceed(p + "!");
                    }
                }
                """.formatted(precedence));
        return weave(app);
    }

    @Test
    void anAdviceInsideChangingTheArgumentsChangesEveryAttemptsButNotTheAlternatives() throws Exception {
        bothLog(changing(REBOUND + ", Changing"), List.of("advice saw x", "body got String:x!", "advice saw x",
                "body got String:x!", "alt got String:x", "returned alt"), "x");
    }

    @Test
    void anAdviceOutsideChangingTheArgumentsChangesEveryAttemptsAndTheAlternatives() throws Exception {
        bothLog(changing("Changing, " + REBOUND), List.of("advice saw x", "body got String:x!", "body got String:x!",
                "alt got String:x!", "returned alt"), "x");
    }

    // A streaming method: the engine runs each attempt with a handler of its own, which it writes into the closure's
    // state in place of the caller's, and the alternative is called with the caller's prompt and a handler of its own.

    /** {@code app.Streamer}, whose first {@code failing} attempts fail before their first token, and its alternative. */
    private ClassLoader streamer(int failing) throws Exception {
        Map<String, String> app = new LinkedHashMap<>();
        app.put("Streaming.java", """
                package app;
                public interface Streaming {
                    void stream(String prompt, dev.langchain4j.model.chat.response.StreamingChatResponseHandler handler);
                }
                """);
        app.put("Streamer.java", """
                package app;
                import dev.langchain4j.data.message.AiMessage;
                import dev.langchain4j.model.chat.response.*;
                public class Streamer implements Streaming {
                    public static final java.util.List<String> log = new java.util.ArrayList<>();
                    public int calls;
                    @dev.rebound.annotations.Retry(attempts = 2, delay = 10)
                    @dev.rebound.annotations.Fallback(to = Spare.class)
                    public void stream(String prompt, StreamingChatResponseHandler handler) {
                        calls++;
                        log.add("body got " + prompt);
                        if (calls <= %d) {
                            handler.onError(new IllegalStateException("down " + calls));
                            return;
                        }
                        handler.onPartialResponse("body's token");
                        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("done")).build());
                    }
                    public static void call() {
                        log.clear();
                        new Streamer().stream("p", new StreamingChatResponseHandler() {
                            public void onPartialResponse(String token) { log.add("handler got " + token); }
                            public void onCompleteResponse(ChatResponse r) { log.add("handler got the end"); }
                            public void onError(Throwable e) { log.add("handler got " + e); }
                        });
                    }
                }
                """.formatted(failing));
        app.put("Spare.java", """
                package app;
                import dev.langchain4j.data.message.AiMessage;
                import dev.langchain4j.model.chat.response.*;
                public class Spare implements Streaming {
                    public void stream(String prompt, StreamingChatResponseHandler handler) {
                        Streamer.log.add("spare got " + prompt);
                        handler.onPartialResponse("spare's token");
                        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("done")).build());
                    }
                }
                """);
        app.put("Logging.aj", """
                package app;
                public aspect Logging {
                    declare precedence: dev.rebound.weaver.aspectj.ResilientCalls+, Logging;
                    before(): execution(* app.Streamer.stream(..)) { Streamer.log.add("advice saw " + thisJoinPoint.getArgs()[0]); }
                }
                """);
        return weave(app);
    }

    /** One streaming call quiet, then one with a listener, their waits run: each logs {@code expected}. */
    private static void bothStream(ClassLoader app, String expected) throws Exception {
        assertThat(streamAndWait(app, false)).as("nothing observing").isEqualTo(expected);
        assertThat(streamAndWait(app, true)).as("a listener").isEqualTo(expected);
    }

    /** One streaming call, its scheduled waits run: what the bodies and the caller's handler got. */
    private static String streamAndWait(ClassLoader app, boolean observed) throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        ReboundSettings quiet = ReboundSettings.builder().timeSource(clock).logging(false).build();
        ReboundSettings settings = observed ? quiet.toBuilder().listener(event -> { }).build() : quiet;
        try (GlobalSettingsScope scope = GlobalSettingsScope.open(settings)) {
            app.loadClass("app.Streamer").getMethod("call").invoke(null);
            clock.runScheduled();
            @SuppressWarnings("unchecked")
            List<String> log = (List<String>) app.loadClass("app.Streamer").getField("log").get(null);
            return String.join(" | ", log);
        }
    }

    /** The retry streams: the body must get the engine's handler, written over the caller's, not beside it. */
    @Test
    void aStreamingRetryGetsItsHandlerInPlaceOfTheCallersBesideTheJoinPoint() throws Exception {
        bothStream(streamer(1), "advice saw p | body got p | advice saw p | body got p | handler got body's token"
                + " | handler got the end");
    }

    @Test
    void aStreamingAlternativeGetsTheCallersPromptBesideTheJoinPoint() throws Exception {
        bothStream(streamer(2), "advice saw p | body got p | advice saw p | body got p | spare got p"
                + " | handler got spare's token | handler got the end");
    }
}
