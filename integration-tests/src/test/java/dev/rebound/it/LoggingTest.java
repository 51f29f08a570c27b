package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.plain.HandledWithoutRetry;
import dev.rebound.it.seed.Fallbacks;
import dev.rebound.it.woven.FallbackOnly;
import dev.rebound.weaver.guice.ReboundModule;
import org.junit.jupiter.api.Test;

/** The seed's logging mistakes are caught: fallbacks are always logged, fallback without retry is flagged. */
class LoggingTest extends VirtualTime {

    @Test
    void aFallbackIsLoggedWithClassNamesOnlyNeverThePromptOrTheMessage() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        String log = StdErr.during(() -> new Fallbacks.Gpt4().invoke("my secret prompt"));

        assertThat(log).contains("WARN dev.rebound - TwoModels.invoke(String): falling back from Gpt4 to "
                + "Gpt35Turbo after dev.rebound.it.llm.LlmUnavailableException");
        assertThat(log).doesNotContain("my secret prompt").doesNotContain("unavailable (call");
    }

    @Test
    void aFallbackWithoutRetryIsWarnedAboutOnceWhenTheWovenClassIsInitialised() {
        String log = StdErr.during(() -> {
            new FallbackOnly.WarnedPrimary();
            new FallbackOnly.WarnedPrimary();
        });

        assertThat(StdErr.count(log, "Warned.invoke(String) has @Fallback but no @Retry")).isEqualTo(1);
    }

    /** A handler is a fallback too: {@code @Fallback(to = {}, handler = ...)} without a retry is warned alike. */
    @Test
    void aHandlerFallbackWithoutRetryIsWarnedAsAFallbackWithoutRetryWhenTheWovenClassIsInitialised() {
        String log = StdErr.during(() -> {
            new FallbackOnly.HandledPrimary();
            new FallbackOnly.HandledPrimary();
        });

        assertThat(StdErr.count(log, "WARN dev.rebound - Handled.invoke(String) has @Fallback but no @Retry: one"
                + " transient failure sends every call to the fallback. Add @Retry, or set"
                + " -Drebound.warnFallbackWithoutRetry=false if that is intended.")).isEqualTo(1);
    }

    @Test
    void aHandlerFallbackWithoutRetryIsWarnedAsAFallbackWithoutRetryByTheInjector() {
        String log = StdErr.during(() -> Guice.createInjector(new ReboundModule())
                .getInstance(HandledWithoutRetry.Primary.class));

        assertThat(StdErr.count(log, "WARN dev.rebound - HandledWithoutRetry.invoke(String) has @Fallback but no"
                + " @Retry: one transient failure sends every call to the fallback.")).isEqualTo(1);
    }

    @Test
    void thePropertySilencesTheFallbackWithoutRetryWarning() {
        System.setProperty("rebound.warnFallbackWithoutRetry", "false");
        try {
            String log = StdErr.during(FallbackOnly.SilencedPrimary::new);

            assertThat(log).doesNotContain("has @Fallback but no @Retry");
        } finally {
            System.clearProperty("rebound.warnFallbackWithoutRetry");
        }
    }
}
