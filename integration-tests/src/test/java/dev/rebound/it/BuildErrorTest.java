package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.weaver.aspectj.ResilientMethods;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.aspectj.bridge.IMessage;
import org.aspectj.bridge.MessageHandler;
import org.aspectj.tools.ajc.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the build rejects: ajc (the aspect's declare errors, processing off) and javac (the annotation
 * processor the weaver jar ships) run on purpose-broken sources, as a user's build runs them.
 */
class BuildErrorTest {

    @TempDir
    Path dir;

    private Javac javac() {
        return new Javac(dir);
    }

    /** ajc's errors, weaving rebound-weaver, annotation processing off. */
    private List<String> compileErrors(String className, String source) throws IOException {
        Path file = javac().write(className, source);
        MessageHandler messages = new MessageHandler();
        new Main().run(new String[] {"-17", "-proc:none", "-classpath", Javac.CLASSPATH, "-aspectpath",
            Javac.location(ResilientMethods.class), "-d", dir.resolve("out").toString(), file.toString()}, messages);
        return Arrays.stream(messages.getMessages(IMessage.ERROR, true)).map(IMessage::getMessage).toList();
    }

    /** ajc's errors with Rebound's aspects and its annotation processor, as the Maven plugin runs it. */
    private List<String> ajcErrors(String className, String source) throws IOException {
        Path file = javac().write(className, source);
        MessageHandler messages = new MessageHandler();
        new Main().run(new String[] {"-17", "-processor", dev.rebound.weaver.processor.ReboundProcessor.class.getName(),
            "-classpath", Javac.CLASSPATH, "-aspectpath", Javac.location(ResilientMethods.class), "-d",
            dir.resolve("out").toString(), "-s", Files.createDirectories(dir.resolve("generated")).toString(),
            file.toString()}, messages);
        return Arrays.stream(messages.getMessages(IMessage.ERROR, true)).map(IMessage::getMessage).toList();
    }

    @Test
    void aPolicyOnAnEnumsTypeIsACompileErrorUnderAjcNotAnInternalCompilerError() throws IOException {
        List<String> errors = ajcErrors("Single", """
                @dev.rebound.annotations.Retry(attempts = 3)
                public enum Single {
                    INSTANCE;

                    public String call(String prompt) { return prompt; }
                }
                """);

        assertThat(errors).containsExactly("Single: a policy on an enum's type is not woven (the aspect applies the"
                + " annotations on an enum's methods and on its interfaces only): put @Retry, @Fallback,"
                + " @CircuitBreaker or @RateLimit on its methods");
    }

    /**
     * {@code @Retry}'s {@code @Target(TYPE)} lets it on an annotation type, as if a meta-annotation; no door
     * reads an annotation's own annotations, so the method marked {@code @Resilient} would be called once:
     * a compile error naming the annotation type, under javac and ajc, rather than a policy lost in silence.
     */
    @Test
    void aPolicyOnAnAnnotationTypeIsACompileErrorNamingItNotAPolicyLostInSilence() throws IOException {
        String source = """
                import dev.rebound.annotations.*;
                import java.lang.annotation.*;

                public interface Chat {
                    @Retry(attempts = 3, delay = 0)
                    @Fallback(to = {})
                    @Retention(RetentionPolicy.RUNTIME)
                    @Target({ElementType.METHOD, ElementType.TYPE})
                    @interface Resilient {
                    }

                    @Resilient
                    String chat(String prompt);
                }
                """;
        String expected = "Resilient: a policy on an annotation type (@Retry, @Fallback) does not apply where that"
                + " annotation is used: policy annotations do not act as meta-annotations (no door reads an"
                + " annotation's own annotations); put @Retry, @Fallback on the methods or types it marks";

        assertThat(javacErrors("Chat", source)).containsExactly(expected);
        assertThat(ajcErrors("Chat", source)).containsExactly(expected);
    }

    /** javac's errors, with rebound-weaver (and so its annotation processor) on the class path. */
    private List<String> javacErrors(String className, String source) throws IOException {
        return javac().errors(className, source);
    }

    @Test
    void anAnnotatedNonPublicMethodIsABuildError() throws IOException {
        List<String> errors = compileErrors("Hidden", """
                public class Hidden {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String call() { return "x"; }
                }
                """);

        assertThat(errors).containsExactly(
                "Rebound: @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only (java.lang.String Hidden.call())");
    }

    @Test
    void anAnnotatedStaticMethodIsABuildError() throws IOException {
        List<String> errors = compileErrors("Util", """
                public class Util {
                    @dev.rebound.annotations.Fallback(to = Object.class)
                    public static String call() { return "x"; }
                }
                """);

        assertThat(errors).containsExactly(
                "Rebound: @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to instance methods only (java.lang.String Util.call())");
    }

    @Test
    void outOfRangeRetryBoundsOnAnInterfaceAreCompileErrors() throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 0, delay = 10, maxDelay = 5)
                    String chat(String prompt);
                }
                """);

        assertThat(errors).containsExactly("Chat.chat(String): @Retry.attempts = 0 is outside 1..100",
                "Chat.chat(String): @Retry.maxDelay = 5 ms is below @Retry.delay = 10 ms");
    }

    @Test
    void outOfRangeRateLimitsAreCompileErrorsInTheRuleSetsWords() throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.RateLimit(requestsPerMinute = 0, tokensPerMinute = 100, maxDelay = -1)
                    String chat(String prompt);
                }
                """);

        assertThat(errors).containsExactly(
                "Chat.chat(String): @RateLimit.requestsPerMinute = 0 is below 1 (a token limit needs a request limit)",
                "Chat.chat(String): @RateLimit.maxDelay = -1 ms is negative");
    }

    @Test
    void aFallbackThatDoesNotImplementTheInterfaceIsACompileError() throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 2)
                    @dev.rebound.annotations.Fallback(to = {Chat.Backup.class, String.class, Chat.Backup.class})
                    String chat(String prompt);

                    class Backup implements Chat {
                        public String chat(String prompt) { return prompt; }
                    }
                }
                """);

        assertThat(errors).containsExactly("Chat.chat(String): @Fallback.to java.lang.String does not implement Chat",
                "Chat.chat(String): @Fallback.to lists Chat$Backup more than once");
    }

    @Test
    void aClassMethodsFallbackMustImplementTheInterfaceTheMethodComesFrom() throws IOException {
        List<String> errors = javacErrors("Gpt4", """
                interface Chat { String chat(String prompt); }
                class Other { }
                public class Gpt4 implements Chat {
                    @dev.rebound.annotations.Fallback(to = Other.class)
                    public String chat(String prompt) { return prompt; }
                }
                """);

        assertThat(errors).as("named by the method that carries @Fallback; its alternatives must implement Chat")
                .containsExactly("Gpt4.chat(String): @Fallback.to Other does not implement Chat");
    }

    @Test
    void aClassMethodsFallbackMustImplementTheInterfaceWhereItsPolicyIsWrittenWhateverTheImplementsOrder()
            throws IOException {
        List<String> errors = javacErrors("Gpt4", """
                interface Completer { String chat(String prompt); }
                interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String chat(String prompt);
                }
                class Backup implements Chat {
                    public String chat(String prompt) { return prompt; }
                }
                class Other implements Completer {
                    public String chat(String prompt) { return prompt; }
                }
                public class Gpt4 implements Completer, Chat {
                    @dev.rebound.annotations.Fallback(to = Backup.class)
                    public String chat(String prompt) { return prompt; }
                }
                class Gpt35 implements Completer, Chat {
                    @dev.rebound.annotations.Fallback(to = Other.class)
                    public String chat(String prompt) { return prompt; }
                }
                """);

        // the method is Chat's, as at run time through every door: Completer, listed first, carries no policy;
        // the problem is named by the method that carries the @Fallback
        assertThat(errors).containsExactly("Gpt35.chat(String): @Fallback.to Other does not implement Chat");
    }

    @Test
    void theProcessorRejectsAnnotatedNonPublicMethodsForGuiceUsersToo() throws IOException {
        assertThat(javacErrors("Hidden", """
                public class Hidden {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String call() { return "x"; }
                }
                """)).containsExactly("Hidden.call(): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only");
    }

    /** A Java 9+ private interface method: ajc's declare error refuses it, and so does javac's processor. */
    @Test
    void aPolicyOnAPrivateInterfaceMethodIsABuildErrorUnderJavacAsUnderAjc() throws IOException {
        String source = """
                public interface Helper {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    private String helper(String prompt) {
                        return ask(prompt);
                    }

                    String ask(String prompt);

                    default String chat(String prompt) {
                        return helper(prompt);
                    }
                }
                """;
        assertThat(compileErrors("Helper", source)).containsExactly("Rebound: @Retry, @Fallback, @CircuitBreaker and"
                + " @RateLimit apply to public methods only (java.lang.String Helper.helper(java.lang.String))");
        assertThat(javacErrors("Helper", source)).containsExactly(
                "Helper.helper(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only");
    }

    /**
     * equals, hashCode and toString: a method-level policy on one, the interface's or the class's, is a
     * compile error; a type-level policy does not reach them, so it is none.
     */
    @Test
    void aMethodLevelPolicyOnEqualsHashCodeOrToStringIsACompileErrorAndATypeLevelOneIsNot() throws IOException {
        assertThat(javacErrors("Described", """
                public interface Described {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    String toString();

                    @dev.rebound.annotations.CircuitBreaker
                    int hashCode();

                    String chat(String prompt);

                    class Impl implements Described {
                        public String chat(String prompt) { return prompt; }

                        @dev.rebound.annotations.Fallback(to = {})
                        public boolean equals(Object other) { return other == this; }
                    }
                }
                """)).containsExactly(
                "Described.toString(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods",
                "Described.hashCode(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods",
                "Impl.equals(Object): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods");

        assertThat(javacErrors("Outbox", """
                @dev.rebound.annotations.NonIdempotent
                @dev.rebound.annotations.Retry(attempts = 3)
                public interface Outbox {
                    String toString();

                    @dev.rebound.annotations.Retry(attempts = 3, on = java.net.ConnectException.class)
                    void send(String mail);
                }
                """)).as("the type's blind retry reaches no method: toString is outside it").isEmpty();
    }

    @Test
    void retryingOrFallingBackFromANonIdempotentMethodWithoutNamingSafeFailuresIsACompileError()
            throws IOException {
        List<String> errors = javacErrors("Mailer", """
                public interface Mailer {
                    @dev.rebound.annotations.NonIdempotent
                    @dev.rebound.annotations.Retry(attempts = 3)
                    @dev.rebound.annotations.Fallback(to = Backup.class)
                    void send(String mail);

                    @dev.rebound.annotations.NonIdempotent
                    @dev.rebound.annotations.Retry(attempts = 3, on = java.net.ConnectException.class)
                    void sendSafely(String mail);

                    class Backup implements Mailer {
                        public void send(String mail) { }
                        public void sendSafely(String mail) { }
                    }
                }
                """);

        assertThat(errors).containsExactly(
                "Mailer.send(String): @Retry(attempts = 3) on a @NonIdempotent method must list the failures "
                        + "that are safe to repeat it on, in @Retry.on",
                // the alternative inherits the method's @NonIdempotent and runs the interface's @Retry
                "Backup.send(String): @Retry(attempts = 3) on a @NonIdempotent method must list the failures "
                        + "that are safe to repeat it on, in @Retry.on",
                "Mailer.send(String): @Fallback on a @NonIdempotent method must list the failures that are safe "
                        + "to repeat it on, in @Fallback.on");
    }

    @Test
    void aNonIdempotentAlternativeUnderARetryThatNamesNoFailuresIsACompileErrorInTheRuntimesWords()
            throws IOException {
        List<String> errors = javacErrors("Sender", """
                @dev.rebound.annotations.Retry(attempts = 3)
                public interface Sender {
                    @dev.rebound.annotations.Fallback(to = OnceOnly.class)
                    String send(String message);

                    @dev.rebound.annotations.Fallback(to = Careful.class)
                    String sendAgain(String message);

                    class OnceOnly implements Sender {
                        @dev.rebound.annotations.NonIdempotent
                        public String send(String message) { return message; }
                        public String sendAgain(String message) { return message; }
                    }

                    class Careful implements Sender {
                        public String send(String message) { return message; }
                        @dev.rebound.annotations.NonIdempotent
                        @dev.rebound.annotations.Retry(attempts = 2, on = java.net.ConnectException.class)
                        public String sendAgain(String message) { return message; }
                    }
                }
                """);

        assertThat(errors).containsExactly("OnceOnly.send(String): @Retry(attempts = 3) on a @NonIdempotent method"
                + " must list the failures that are safe to repeat it on, in @Retry.on");
    }

    /** As above, with the alternatives listed by the interface's own, type-level {@code @Fallback}. */
    @Test
    void aNonIdempotentAlternativeOfATypeLevelFallbackListIsACompileErrorInTheSameWords() throws IOException {
        List<String> errors = javacErrors("Mailer", """
                @dev.rebound.annotations.Retry(attempts = 3)
                @dev.rebound.annotations.Fallback(to = Mailer.OnceOnly.class)
                public interface Mailer {
                    String send(String message);

                    class OnceOnly implements Mailer {
                        @dev.rebound.annotations.NonIdempotent
                        public String send(String message) { return message; }
                    }
                }
                """);

        assertThat(errors).containsExactly("OnceOnly.send(String): @Retry(attempts = 3) on a @NonIdempotent method"
                + " must list the failures that are safe to repeat it on, in @Retry.on");
    }

    @Test
    void anInterfacesOwnRateLimitGivenOtherLimitsByTwoMethodsIsACompileErrorAndAClasssIsLeftToBind()
            throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.RateLimit(requestsPerMinute = 500)
                    String first(String prompt);

                    @dev.rebound.annotations.RateLimit(requestsPerMinute = 100)
                    String second(String prompt);

                    class Local implements Chat {
                        // the interface's limit when Local is the primary, Local's own when it is an alternative
                        @dev.rebound.annotations.RateLimit(requestsPerMinute = 10)
                        public String first(String prompt) { return prompt; }
                        public String second(String prompt) { return prompt; }
                    }
                }
                """);

        assertThat(errors).containsExactly("Chat.second(String): @RateLimit.key names rate limit \"Chat\" "
                + "(requestsPerMinute 500, tokensPerMinute 0) with requestsPerMinute 100, tokensPerMinute 0; every "
                + "method naming a rate limit key must give it the same limits");
    }

    @Test
    void badResultPredicatesHandlersAndAttemptTimeoutsAreCompileErrorsInTheRuntimesWords() throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.Retry(attemptTimeout = -5, onResult = {Chat.Fine.class, Chat.NoDefault.class})
                    @dev.rebound.annotations.Fallback(to = {}, handler = Chat.Fine.class,
                            onResult = Chat.Abstract.class)
                    String chat(String prompt);

                    class Fine implements java.util.function.Predicate<Object> {
                        public boolean test(Object o) { return o == null; }
                    }
                    class NoDefault implements java.util.function.Predicate<Object> {
                        public NoDefault(int x) { }
                        public boolean test(Object o) { return false; }
                    }
                    abstract class Abstract implements java.util.function.Predicate<Object> {
                    }
                }
                """);

        assertThat(errors).containsExactlyInAnyOrder("Chat.chat(String): @Retry.attemptTimeout = -5 ms is negative",
                "Chat.chat(String): @Retry.onResult Chat$NoDefault has no public no-argument constructor",
                "Chat.chat(String): @Fallback.handler Chat$Fine does not implement dev.rebound.runtime.FallbackHandler",
                "Chat.chat(String): @Fallback.onResult Chat$Abstract is abstract");
    }

    @Test
    void aTypeLevelPolicyThatCannotActOnAnInheritedMethodIsACompileError() throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    interface Base {
                        java.util.concurrent.CompletableFuture<String> chat(String prompt);
                    }
                    @dev.rebound.annotations.RateLimit(requestsPerMinute = 10)
                    interface Limited extends Base {
                    }
                }
                """);

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("Limited.chat(String): @RateLimit cannot act on a method returning a "
                + "CompletionStage");
    }

    /**
     * A class an annotation names, or a parameter type, that does not exist: javac's own "cannot find symbol"
     * (the processor waits for a later round, in case another processor generates it, and in the last
     * leaves it to javac), and the processor's checks of the type's other methods.
     */
    @ParameterizedTest
    @ValueSource(strings = {"@dev.rebound.annotations.Fallback(to = Bakup.class) String chat(String prompt);",
        "@dev.rebound.annotations.Retry(on = Typo.class) String chat(String prompt);",
        "@dev.rebound.annotations.Retry(onResult = Typo.class) String chat(String prompt);",
        "@dev.rebound.annotations.CircuitBreaker(on = Typo.class) String chat(String prompt);",
        "@dev.rebound.annotations.Retry(attempts = 3) String chat(Reqest prompt);",
        "@dev.rebound.annotations.Retry(attempts = 3) java.util.List<Reqest> chat(String prompt) throws Typo;"})
    void aMisspelledClassIsJavacsCannotFindSymbolNotAProcessorCrash(String method) throws IOException {
        List<String> errors = javacErrors("Chat", """
                public interface Chat {
                    %s

                    @dev.rebound.annotations.Retry(attempts = 0)
                    String other(String prompt);
                }
                """.formatted(method));

        assertThat(errors).allMatch(e -> e.startsWith("cannot find symbol\n  symbol:   class ")
                        || e.equals("Chat.other(String): @Retry.attempts = 0 is outside 1..100"))
                .contains("Chat.other(String): @Retry.attempts = 0 is outside 1..100")
                .anyMatch(e -> e.startsWith("cannot find symbol"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"@dev.rebound.annotations.Fallback(to = Bakup.class) String chat(String p);",
        "String chat(Reqest p);"})
    void aMisspelledClassIsAjcsOwnErrorNotAnInternalCompilerError(String method) throws IOException {
        List<String> errors = ajcErrors("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    %s
                }
                """.formatted(method));

        assertThat(errors).singleElement().asString().matches("(Bakup|Reqest) cannot be resolved to a type");
    }

    /**
     * A type whose supertype comes from a class file and has a nested type ({@code Proxy.ProxyBuilder},
     * {@code Thread.State}, {@code Map.Entry}, a jar's class): ajc, reading the supertype's members for the
     * processor, threw a NullPointerException of its own, an internal compiler error naming neither the class nor
     * Rebound. It builds under ajc as under javac.
     */
    @ParameterizedTest
    @ValueSource(strings = {"""
            public class Subject extends java.lang.reflect.Proxy {
                public Subject() { super((proxy, method, args) -> null); }
                @dev.rebound.annotations.Retry(attempts = 3, delay = 100, jitter = false)
                public String ping(String host) { return host; }
            }
            """, """
            public abstract class Subject extends Thread {
                @dev.rebound.annotations.Retry(attempts = 3)
                public String ping(String host) { return host; }
            }
            """, """
            public interface Subject extends java.util.Map<String, String> {
                @dev.rebound.annotations.Retry(attempts = 3)
                String chat(String prompt);
            }
            """, """
            @dev.rebound.annotations.Retry(attempts = 3)
            public interface Subject extends java.util.Map<String, String> {
                String chat(String prompt);
            }
            """})
    void aTypeOverAClassFileTypeWithNestedTypesBuildsUnderAjcWithReboundsProcessor(String source) throws IOException {
        assertThat(ajcErrors("Subject", source)).as("ajc's errors, Rebound's processor on").isEmpty();
        assertThat(javacErrors("Subject", source)).as("javac's").isEmpty();
    }

    @Test
    void suppressWarningsReboundSkipsTheChecks() throws IOException {
        assertThat(javacErrors("Chat", """
                @SuppressWarnings("rebound")
                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 0)
                    String chat(String prompt);
                }
                """)).isEmpty();
    }

    @Test
    void aCorrectClassCompiles() throws IOException {
        String fine = """
                public class Fine {
                    @dev.rebound.annotations.Retry(attempts = 3)
                    public String call() { return "x"; }
                }
                """;
        assertThat(compileErrors("Fine", fine)).isEmpty();
        assertThat(javacErrors("Fine", fine)).isEmpty();
    }

    // ---- a synchronized method a policy reaches: woven, it holds its monitor through the retries

    private static final String SYNCHRONIZED = """
            package app;
            import dev.rebound.annotations.Retry;
            public class Sync {
                public interface Chat {
                    @Retry(attempts = 3, delay = 100, jitter = false)
                    String chat(String prompt);
                }
                /** Fails its first two calls; synchronized on the instance. */
                public static class SyncChat implements Chat {
                    public final java.util.List<String> calls = new java.util.ArrayList<>();
                    @Override
                    public synchronized String chat(String prompt) {
                        calls.add(prompt);
                        if (calls.size() < 3) throw new IllegalStateException("down");
                        return "ok " + prompt;
                    }
                    public synchronized String helper(String prompt) { return prompt; } // no policy
                }
                @Retry(attempts = 3)
                public interface Typed {
                    String run(String prompt);
                }
                public static class SyncTyped implements Typed {
                    public synchronized String run(String prompt) { return prompt; }
                }
                @Retry(attempts = 3)
                public static class ClassLevel {
                    public synchronized String call(String prompt) { return prompt; }
                    // Object's methods: no door intercepts them, no warning
                    @Override public synchronized String toString() { return "ClassLevel"; }
                    @Override public synchronized int hashCode() { return 1; }
                    @Override public synchronized boolean equals(Object other) { return other == this; }
                }
                public static class Base {
                    @Retry(attempts = 3, delay = 0)
                    public String call(String prompt) { return prompt; }
                }
                /** Base.call's policy reaches it; no static pattern sees that. */
                public static class Sub extends Base {
                    @Override public synchronized String call(String prompt) { return prompt; }
                }
                @dev.rebound.annotations.Fallback(to = Backup.class)
                public static class OptedOut {
                    public String call(String prompt) { return prompt; }
                    /** opted out of the type's @Fallback: nothing keeps it past one attempt */
                    @dev.rebound.annotations.Fallback(to = {})
                    public synchronized String quiet(String prompt) { return prompt; }
                }
                public static class Backup extends OptedOut {
                    @Override public String call(String prompt) { return "backup"; }
                }
                public static class Own {
                    @Retry(attempts = 3)
                    public synchronized String call(String prompt) { return prompt; }
                    public synchronized String other(String prompt) { return prompt; }
                }
                public static class NoPolicy {
                    public synchronized String call(String prompt) { return prompt; }
                }
            }
            """;

    /** ajc's messages of {@code kind} for {@code source}, woven with rebound-weaver into {@code out}. */
    private List<String> ajcMessages(String className, String source, String out, IMessage.Kind kind)
            throws IOException {
        Path file = javac().write(className, source);
        MessageHandler messages = new MessageHandler();
        new Main().run(new String[] {"-17", "-proc:none", "-classpath", Javac.CLASSPATH, "-aspectpath",
            Javac.location(ResilientMethods.class), "-d", dir.resolve(out).toString(), file.toString()}, messages);
        return Arrays.stream(messages.getMessages(kind, false)).map(IMessage::getMessage).toList();
    }

    private static String holdsTheMonitor(String signature) {
        return "Rebound: " + signature + " is synchronized: woven, it holds the object's monitor through every attempt"
                + " of its policy and every wait between them (up to maxDelay each), so the object's other synchronized"
                + " callers wait for the whole call. Synchronize inside the method's body or in its caller, or apply the"
                + " policy through Guice's ReboundModule or Rebound.wrap, which release the monitor between attempts";
    }

    @Test
    void aSynchronizedMethodAPolicyReachesIsAWarningOfTheWovenBuild() throws IOException {
        List<String> warnings = ajcMessages("Sync", SYNCHRONIZED, "woven", IMessage.WARNING);

        assertThat(warnings).containsExactlyInAnyOrder(
                holdsTheMonitor("java.lang.String app.Sync$SyncChat.chat(java.lang.String)"), // the interface's method
                holdsTheMonitor("java.lang.String app.Sync$SyncTyped.run(java.lang.String)"), // the interface's type
                holdsTheMonitor("java.lang.String app.Sync$ClassLevel.call(java.lang.String)"), // its class
                holdsTheMonitor("java.lang.String app.Sync$Own.call(java.lang.String)"), // itself
                // opted out with to = {}: a static pattern sees the type's @Fallback, not the opt-out
                holdsTheMonitor("java.lang.String app.Sync$OptedOut.quiet(java.lang.String)"));
        assertThat(ajcMessages("Sync", SYNCHRONIZED, "woven", IMessage.ERROR)).isEmpty();
    }

    private static String notWoven(String signature) {
        return "Rebound: " + signature + " is not woven: its class is final, extends java.lang.reflect.Proxy and has a"
                + " name that begins with $Proxy, which the JDK reserves for its dynamic proxies, and Rebound never"
                + " weaves those (their handler's target applies the policy). Rename the class, or apply the policy"
                + " through Guice's ReboundModule or Rebound.wrap";
    }

    /**
     * Rebound never weaves a JDK dynamic proxy (under the agent, one of a package-private interface is defined in
     * the interface's package, and weaving it applied the policy twice), and tells one by what {@code Proxy} says
     * of them: final, named {@code $Proxy...}. The application's own subclass of {@code Proxy} is woven (its
     * synchronized method said as any other's); one that looks like the JDK's, in a package or in none, is named
     * at build time, not left unwoven in silence, and its synchronized method is not said to be woven.
     */
    @Test
    void aClassThatExtendsProxyIsWovenUnlessItLooksLikeAJdkProxyAndThenTheBuildSaysSo() throws Exception {
        String proxies = """
                package app;
                import dev.rebound.annotations.Retry;
                import java.lang.reflect.Proxy;
                class Pinger extends Proxy {
                    Pinger() { super((proxy, method, args) -> null); }
                    @Retry(attempts = 3)
                    public synchronized String ping(String host) { return host; }
                }
                final class $Proxy9 extends Proxy {
                    $Proxy9() { super((proxy, method, args) -> null); }
                    @Retry(attempts = 3)
                    public synchronized String ping(String host) { return host; }
                    public String plain(String host) { return host; }
                }
                """;
        String defaultPackage = """
                @dev.rebound.annotations.Retry(attempts = 3)
                final class $Proxy7 extends java.lang.reflect.Proxy {
                    $Proxy7() { super((proxy, method, args) -> null); }
                    public String ping(String host) { return host; }
                }
                """;

        assertThat(ajcMessages("Proxies", proxies, "proxies", IMessage.WARNING)).containsExactlyInAnyOrder(
                holdsTheMonitor("java.lang.String app.Pinger.ping(java.lang.String)"),
                notWoven("java.lang.String app.$Proxy9.ping(java.lang.String)"));
        assertThat(ajcMessages("Proxies", proxies, "proxies", IMessage.ERROR)).isEmpty();
        assertThat(ajcMessages("$Proxy7", defaultPackage, "default", IMessage.WARNING))
                .containsExactly(notWoven("java.lang.String $Proxy7.ping(java.lang.String)"));
        ClassLoader woven = new java.net.URLClassLoader(new java.net.URL[] {dir.resolve("proxies").toUri().toURL()},
                getClass().getClassLoader());
        assertThat(dev.rebound.weaver.Woven.class.isAssignableFrom(woven.loadClass("app.Pinger"))).isTrue();
        assertThat(dev.rebound.weaver.Woven.class.isAssignableFrom(woven.loadClass("app.$Proxy9"))).isFalse();
    }

    /**
     * A synchronized override whose policy is its superclass method's: out of a static pattern's sight (no
     * build warning above), said in the same words when the woven class initialises, once.
     */
    @Test
    void aSynchronizedOverrideOfASuperclassesAnnotatedMethodIsSaidWhenItsClassInitialises() throws Exception {
        ajcMessages("Sync", SYNCHRONIZED, "woven", IMessage.ERROR);
        ClassLoader woven = new java.net.URLClassLoader(new java.net.URL[] {dir.resolve("woven").toUri().toURL()},
                getClass().getClassLoader());

        String log = StdErr.during(() -> {
            try {
                Class.forName("app.Sync$Sub", true, woven);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(StdErr.count(log, "WARN dev.rebound - Sub.call(String) (under the policy of Base.call(String)) is synchronized: woven, it holds the"
                + " object's monitor through every attempt of its policy and every wait between them (up to maxDelay"
                + " each), so the object's other synchronized callers wait for the whole call. Synchronize inside the"
                + " method's body or in its caller, or apply the policy through Guice's ReboundModule or Rebound.wrap,"
                + " which release the monitor between attempts")).as(log).isEqualTo(1);
    }

    /**
     * A synchronized method opted out of its type's {@code @Fallback} ({@code to = {}}): nothing keeps it past
     * one attempt, so its class's initialisation says nothing of it (the build's static pattern still names it).
     */
    @Test
    void aSynchronizedMethodNoPolicyKeepsPastOneAttemptIsNotSaidWhenItsClassInitialises() throws Exception {
        ajcMessages("Sync", SYNCHRONIZED, "woven", IMessage.ERROR);
        ClassLoader woven = new java.net.URLClassLoader(new java.net.URL[] {dir.resolve("woven").toUri().toURL()},
                getClass().getClassLoader());

        String log = StdErr.during(() -> {
            try {
                Class.forName("app.Sync$OptedOut", true, woven);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(log).doesNotContain("is synchronized");
    }

    /** A clock that records, at each wait, whether the waiting thread holds {@code monitor}'s lock. */
    private static final class LockWatchingClock implements dev.rebound.runtime.TimeSource {
        final dev.rebound.runtime.testing.VirtualTimeSource clock = new dev.rebound.runtime.testing.VirtualTimeSource();
        final List<Boolean> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Object monitor;

        @Override
        public long nanoTime() {
            return clock.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            held.add(monitor != null && Thread.holdsLock(monitor));
            clock.sleep(nanos);
        }
    }

    /**
     * What the warning says: the woven method holds the instance's monitor through both 100 ms waits, while
     * Guice's interceptor and Rebound.wrap, around the same class compiled by javac, release it between
     * attempts. No sound way to release it from inside the method exists (the JVM gives a synchronized
     * method's monitor back only when the method returns), hence the warning.
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aWovenSynchronizedMethodHoldsItsMonitorThroughItsWaitsWhereGuiceAndWrapReleaseIt() throws Exception {
        ajcMessages("Sync", SYNCHRONIZED, "woven", IMessage.ERROR);
        ClassLoader woven = new java.net.URLClassLoader(new java.net.URL[] {dir.resolve("woven").toUri().toURL()},
                getClass().getClassLoader());
        ClassLoader plain = javac().loadFrom("plain", "Sync", SYNCHRONIZED, false);
        dev.rebound.runtime.ReboundSettings before = dev.rebound.runtime.ReboundSettings.global();
        LockWatchingClock watching = new LockWatchingClock();
        dev.rebound.runtime.ReboundSettings.setGlobal(before.toBuilder().timeSource(watching).logging(false).build());
        try {
            Object wovenChat = woven.loadClass("app.Sync$SyncChat").getConstructor().newInstance();
            watching.monitor = wovenChat;
            assertThat(chat(wovenChat, "v")).isEqualTo("ok v");
            assertThat(wovenChat.getClass().getField("calls").get(wovenChat)).isEqualTo(List.of("v", "v", "v"));
            assertThat(watching.held).as("woven: the monitor during each wait").containsExactly(true, true);

            Class chatType = plain.loadClass("app.Sync$Chat");
            Class syncChat = plain.loadClass("app.Sync$SyncChat");
            Object guiced = com.google.inject.Guice.createInjector(new dev.rebound.weaver.guice.ReboundModule(),
                    new com.google.inject.AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(chatType).to(syncChat);
                        }
                    }).getInstance(chatType);
            watching.held.clear();
            watching.monitor = guiced;
            assertThat(chat(guiced, "g")).isEqualTo("ok g");
            assertThat(watching.held).as("Guice").containsExactly(false, false);

            Object target = syncChat.getConstructor().newInstance();
            Object wrapped = dev.rebound.runtime.Rebound.wrap(chatType, target).build();
            watching.held.clear();
            watching.monitor = target;
            assertThat(chat(wrapped, "w")).isEqualTo("ok w");
            assertThat(watching.held).as("Rebound.wrap").containsExactly(false, false);
        } finally {
            dev.rebound.runtime.ReboundSettings.setGlobal(before);
        }
    }

    private static Object chat(Object chat, String prompt) throws Exception {
        try {
            return chat.getClass().getMethod("chat", String.class).invoke(chat, prompt);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }
}
