package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.plain.UnreachedQuotes;
import dev.rebound.it.plain.WovenDefaultBackup;
import dev.rebound.it.woven.UnreachedFallbacks;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.Woven;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine marks its call of an alternative ({@code Passthrough}) only when a door may intercept it there: an
 * instance of a class javac alone compiled (not woven, not generated, not a proxy) and that runs no woven body is
 * called as it is, its own policy applied by the engine, once; one that runs a woven default method is marked, and
 * that default's advice lets the call through.
 */
class UnreachedAlternativeTest extends VirtualTime {

    @BeforeEach
    void clear() {
        UnreachedQuotes.CALLS.clear();
        UnreachedFallbacks.CALLS.clear();
    }

    @Test
    void anAlternativeNoDoorReachesIsCalledWithoutAMarkUnderItsOwnRetryOnce() {
        UnreachedFallbacks.DownQuotes primary = new UnreachedFallbacks.DownQuotes();
        assertThat(primary).isInstanceOf(Woven.class);
        assertThat(new UnreachedQuotes.Backup()).isNotInstanceOf(Woven.class);

        assertThat(primary.quote("ACME")).isEqualTo("backup ACME");

        // the backup's own @Retry (2 attempts), applied by the engine: its first attempt fails, its retry answers
        assertThat(UnreachedQuotes.CALLS).containsExactly("ACME unmarked", "ACME unmarked");
        assertThat(kinds()).containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED,
                Kind.RETRIES_EXHAUSTED, Kind.FALLBACK, Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
    }

    @Test
    void anAlternativeNoDoorReachesIsCalledWithoutAMarkOnTheQuietPathToo() {
        // no listener: the engine's quiet loop runs the call
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(clock).random(new Random(42)).logging(false)
                .build());
        UnreachedFallbacks.DownQuotes primary = new UnreachedFallbacks.DownQuotes();

        assertThat(primary.quote("ACME")).isEqualTo("backup ACME");
        assertThat(primary.quote("INIT")).isEqualTo("backup INIT");

        assertThat(UnreachedQuotes.CALLS).containsExactly("ACME unmarked", "ACME unmarked", "INIT unmarked",
                "INIT unmarked");
        assertThat(events).isEmpty();
    }

    @Test
    void aJavacAlternativeRunningAWovenDefaultIsMarkedAndThatDefaultsPolicyAppliesOnce() {
        assertThat(new WovenDefaultBackup()).isNotInstanceOf(Woven.class);
        UnreachedFallbacks.DownAnswers primary = new UnreachedFallbacks.DownAnswers();

        Throwable thrown = catchThrowable(() -> primary.answer("hi"));

        // 2 attempts of the primary, then 2 of the backup under the default's @Retry, applied once by the engine
        assertThat(UnreachedFallbacks.CALLS).containsExactly("primary", "primary", "backup", "backup");
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        List<String> suppressed = Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList();
        assertThat(suppressed).containsExactly("primary down", "backup down", "backup down");
    }

    @Test
    void aJavacAlternativeCallingAWovenDefaultWithSuperIsMarkedAndThatDefaultsPolicyAppliesOnce() {
        UnreachedFallbacks.DownSuperAnswers primary = new UnreachedFallbacks.DownSuperAnswers();

        Throwable thrown = catchThrowable(() -> primary.answer("hi"));

        // the backup's override runs the woven default's body through super: its advice lets the marked call through
        assertThat(UnreachedFallbacks.CALLS).containsExactly("primary", "primary", "override", "backup", "override",
                "backup");
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        List<String> suppressed = Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList();
        assertThat(suppressed).containsExactly("primary down", "backup down", "backup down");
    }
}
