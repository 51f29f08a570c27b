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

        assertThat(errors).containsExactly("Chat.chat(String): @Fallback.to Other does not implement Chat");
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

        // the method is Chat's, as at run time through every door: Completer, listed first, carries no policy
        assertThat(errors).containsExactly("Chat.chat(String): @Fallback.to Other does not implement Chat");
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
}
