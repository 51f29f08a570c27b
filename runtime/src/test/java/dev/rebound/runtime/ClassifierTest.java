package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.rebound.runtime.Fakes.CallLog;
import dev.rebound.runtime.Fakes.ChatClient;
import dev.rebound.runtime.Fakes.ScriptedChat;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Semantics 2 and 5: what is retried, what goes straight to the fallbacks, what nothing catches. */
class ClassifierTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final ReboundSettings settings = Fakes.settings(time, new ArrayList<>());
    final CallLog log = new CallLog();

    ChatClient withRetryAndFallback(ScriptedChat primary, ScriptedChat backup) {
        return Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .withFallbacks(backup).settings(settings).build();
    }

    static Stream<Arguments> transientFailures() {
        return Stream.of(
                Arguments.of("IOException", (Supplier<Throwable>) IOException::new),
                Arguments.of("IllegalStateException", (Supplier<Throwable>) IllegalStateException::new),
                Arguments.of("RateLimitException", (Supplier<Throwable>) () -> new RateLimitException("429")),
                Arguments.of("InternalServerException", (Supplier<Throwable>) () -> new InternalServerException("500")),
                Arguments.of("TimeoutException", (Supplier<Throwable>) () -> new TimeoutException("slow")),
                Arguments.of("HttpException", (Supplier<Throwable>) () -> new dev.langchain4j.exception.HttpException(
                        409, "conflict")),
                Arguments.of("OutputParsingException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.service.output.OutputParsingException("not JSON", null)),
                Arguments.of("LangChain4jException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.exception.LangChain4jException(new IOException("reset"))));
    }

    @ParameterizedTest(name = "{0} is retried")
    @MethodSource("transientFailures")
    void transientFailuresAreRetried(String name, Supplier<Throwable> failure) throws Exception {
        ScriptedChat primary = new ScriptedChat("primary", log).failing(failure::get, failure::get);
        ScriptedChat backup = new ScriptedChat("backup", log);

        assertThat(withRetryAndFallback(primary, backup).chat("q")).isEqualTo("primary: q");
        assertThat(log.calls).containsExactly("primary #1", "primary #2", "primary #3");
    }

    static Stream<Arguments> deterministicFailures() {
        return Stream.of(
                Arguments.of("IllegalArgumentException", (Supplier<Throwable>) IllegalArgumentException::new),
                Arguments.of("NullPointerException", (Supplier<Throwable>) NullPointerException::new),
                Arguments.of("ClassCastException", (Supplier<Throwable>) ClassCastException::new),
                Arguments.of("UnsupportedOperationException", (Supplier<Throwable>) UnsupportedOperationException::new),
                Arguments.of("InterruptedException", (Supplier<Throwable>) InterruptedException::new),
                Arguments.of("AuthenticationException", (Supplier<Throwable>) () -> new AuthenticationException("401")),
                Arguments.of("InvalidRequestException", (Supplier<Throwable>) () -> new InvalidRequestException("400")),
                Arguments.of("ContentFilteredException", (Supplier<Throwable>) () -> new ContentFilteredException("x")),
                Arguments.of("ModelNotFoundException", (Supplier<Throwable>) () -> new ModelNotFoundException("404")),
                // langchain4j's deterministic failures outside its NonRetriableException family (1.19.0)
                Arguments.of("UnsupportedFeatureException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.exception.UnsupportedFeatureException("topK")),
                Arguments.of("ToolArgumentsException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.exception.ToolArgumentsException("bad JSON")),
                Arguments.of("ToolExecutionException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.exception.ToolExecutionException("tool threw")),
                Arguments.of("ModelDisabledException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.model.ModelDisabledException("disabled")),
                Arguments.of("InputGuardrailException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.guardrail.InputGuardrailException("refused")),
                Arguments.of("OutputGuardrailException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.guardrail.OutputGuardrailException("refused")),
                Arguments.of("ModerationException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.service.ModerationException("flagged", null)),
                Arguments.of("IllegalConfigurationException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.service.IllegalConfigurationException("no model")),
                Arguments.of("BlankDocumentException", (Supplier<Throwable>) () ->
                        new dev.langchain4j.data.document.BlankDocumentException()));
    }

    @ParameterizedTest(name = "{0} is not retried and goes straight to the fallback")
    @MethodSource("deterministicFailures")
    void deterministicFailureGoesStraightToFallback(String name, Supplier<Throwable> failure) throws Exception {
        ScriptedChat primary = new ScriptedChat("primary", log).failing(failure::get);
        ScriptedChat backup = new ScriptedChat("backup", log);

        Throwable thrown = catchThrowable(() -> withRetryAndFallback(primary, backup).chat("q"));

        if (name.equals("InterruptedException")) {
            // an interrupted call stops: no retry and no fallback
            assertThat(thrown).isInstanceOf(InterruptedException.class);
            assertThat(log.calls).containsExactly("primary #1");
        } else {
            assertThat(thrown).isNull();
            assertThat(log.calls).containsExactly("primary #1", "backup #1");
        }
        assertThat(time.sleeps()).isEmpty();
    }

    @Test
    void errorsAreNeitherRetriedNorCaughtByAFallback() {
        StackOverflowError error = new StackOverflowError();
        ScriptedChat primary = new ScriptedChat("primary", log).failing(() -> error);
        ScriptedChat backup = new ScriptedChat("backup", log);

        assertThat(catchThrowable(() -> withRetryAndFallback(primary, backup).chat("q"))).isSameAs(error);
        assertThat(log.calls).containsExactly("primary #1");
    }

    /**
     * A target that fails with a ReboundConfigurationException (a wrapper or a woven class it could not
     * build) is misconfigured, not down: no retry, no fallback, no breaker count, whatever the lists say.
     */
    @Test
    void aConfigurationErrorIsNeitherRetriedNorCaughtByAFallbackNorCountedByABreaker() {
        ReboundConfigurationException misconfigured = new ReboundConfigurationException(List.of("Chat.chat(String): x"));
        ScriptedChat primary = new ScriptedChat("primary", log).failingAlways(() -> misconfigured);
        ScriptedChat backup = new ScriptedChat("backup", log);

        assertThat(catchThrowable(() -> withRetryAndFallback(primary, backup).chat("q"))).isSameAs(misconfigured);
        assertThat(log.calls).containsExactly("primary #1");
        assertThat(time.sleeps()).isEmpty();

        RetryPolicy broad = RetryPolicy.builder().retryOn(RuntimeException.class).build();
        assertThat(broad.retries(misconfigured)).isFalse();
        assertThat(broad.retries(new IllegalStateException())).isTrue();
        assertThat(CircuitBreakerPolicy.builder().failOn(RuntimeException.class).build().counts(misconfigured))
                .isFalse();
        assertThat(CircuitBreakerPolicy.builder().build().counts(misconfigured)).isFalse();

        log.calls.clear();
        ChatClient fallsBackOnAnything = Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(broad).withFallbacks(backup).fallbackOn(RuntimeException.class).settings(settings).build();
        assertThat(catchThrowable(() -> fallsBackOnAnything.chat("q"))).isSameAs(misconfigured);
        assertThat(log.calls).containsExactly("primary #2");
    }

    @Test
    void anErrorFromAnAlternativePropagatesWithTheHistory() {
        IOException primaryFailure = new IOException();
        OutOfMemoryError oom = new OutOfMemoryError();
        ScriptedChat primary = new ScriptedChat("primary", log).failingAlways(() -> primaryFailure);
        ScriptedChat backup = new ScriptedChat("backup", log).failing(() -> oom);
        ScriptedChat never = new ScriptedChat("never", log);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) primary).withFallbacks(backup, never)
                .settings(settings).build();

        Throwable thrown = catchThrowable(() -> llm.chat("q"));

        assertThat(thrown).isSameAs(oom);
        assertThat(thrown.getSuppressed()).containsExactly(primaryFailure);
        assertThat(log.calls).containsExactly("primary #1", "backup #1");
    }

    @Test
    void retryOnAndAbortOnOverrideTheClassifierAndAbortOnWins() throws Exception {
        RetryPolicy policy = RetryPolicy.builder().attempts(3).delay(Duration.ZERO)
                .retryOn(IllegalArgumentException.class, IOException.class)
                .abortOn(java.io.FileNotFoundException.class).build();

        assertThat(policy.retries(new IllegalArgumentException())).isTrue();
        assertThat(policy.retries(new IOException())).isTrue();
        assertThat(policy.retries(new java.io.FileNotFoundException())).isFalse();
        assertThat(policy.retries(new IllegalStateException())).isFalse();
        assertThat(policy.retries(new AssertionError())).isFalse();
    }

    @Test
    void abortsAnswersForAFailureOrOneOfItsCausesThatAbortOnListsAndForNothingElse() {
        RetryPolicy policy = RetryPolicy.builder().abortOn(java.io.FileNotFoundException.class).build();

        assertThat(policy.aborts(new java.io.FileNotFoundException())).isTrue();
        assertThat(policy.aborts(new RuntimeException(new java.io.FileNotFoundException()))).isTrue();
        assertThat(policy.aborts(new IOException())).isFalse();
        assertThat(policy.aborts(null)).isFalse();
        assertThat(RetryPolicy.builder().build().aborts(new java.io.FileNotFoundException())).isFalse();
    }

    @Test
    void fallbackOnLimitsWhichFailuresReachTheAlternatives() {
        IOException io = new IOException();
        ScriptedChat primary = new ScriptedChat("primary", log).failing(() -> io);
        ScriptedChat backup = new ScriptedChat("backup", log);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) primary).withFallbacks(backup)
                .fallbackOn(RateLimitException.class).settings(settings).build();

        assertThat(catchThrowable(() -> llm.chat("q"))).isSameAs(io);
        assertThat(log.calls).containsExactly("primary #1");
    }

    /** An exception whose getCause() throws: a chain that ends there, never the caller's exception. */
    static final class BrokenCause extends IOException {
        BrokenCause(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalStateException("getCause broke");
        }
    }

    @Test
    void aFailureWhoseCauseCannotBeReadIsJudgedByItselfAndReachesTheCallerAsItIs() {
        BrokenCause first = new BrokenCause("1");
        BrokenCause second = new BrokenCause("2");
        ScriptedChat primary = new ScriptedChat("primary", log).failing(() -> first, () -> second);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).retryOn(IOException.class)
                        .abortOn(IllegalStateException.class).build())
                .withFallbacks(new ScriptedChat("backup", log)).fallbackOn(RateLimitException.class)
                .settings(settings).build();

        Throwable thrown = catchThrowable(() -> llm.chat("q"));

        assertThat(thrown).isSameAs(second);
        assertThat(thrown.getSuppressed()).containsExactly(first);
        assertThat(log.calls).containsExactly("primary #1", "primary #2");
        assertThat(RetryPolicy.builder().retryOn(IllegalStateException.class).build().retries(first)).isFalse();
    }

    /** As BrokenCause, its getCause() throwing an Error (an assert, a deep override's StackOverflowError). */
    static final class ErrorCause extends IOException {
        ErrorCause(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable getCause() {
            throw new AssertionError("getCause broke");
        }
    }

    @Test
    void aFailureWhoseCauseThrowsAnErrorIsJudgedByItselfToo() {
        ErrorCause first = new ErrorCause("1");
        ErrorCause second = new ErrorCause("2");
        ScriptedChat primary = new ScriptedChat("primary", log).failing(() -> first, () -> second);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).retryOn(IOException.class)
                        .abortOn(IllegalStateException.class).build())
                .settings(settings).build();

        Throwable thrown = catchThrowable(() -> llm.chat("q"));

        assertThat(thrown == second).as("the second failure itself, not " + thrown.getClass().getName()).isTrue();
        assertThat(log.calls).containsExactly("primary #1", "primary #2");
    }
}
