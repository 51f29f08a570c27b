package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import dev.rebound.it.plain.ShortcutPing;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ReboundModule's interceptor runs a first attempt after one static read ({@code ResilientMethod.quiet}) while
 * nothing keeps it off that shortcut. Something left on a thread for a call's start to forget (a Retry-After
 * hint, a rate-limited attempt running) keeps it off only while it is there: a hint taken by its call's retry, or
 * forgotten by the thread's next call, and a rate-limited attempt that ended leave it open again; while a hint
 * is there, the thread's next call still forgets it instead of taking it with a later failure.
 */
class GuiceShortcutTest extends VirtualTime {

    private ShortcutPing ping;

    @BeforeEach
    void intercepted() {
        ShortcutPing.reset();
        ping = Guice.createInjector(new ReboundModule()).getInstance(ShortcutPing.class);
        assertThat(ResilientMethod.quiet()).as("the shortcut open before the test").isTrue();
    }

    @AfterEach
    void nothingLeft() {
        ShortcutPing.reset();
        RetryAfter.clear();
        RateLimitHeaders.clear();
    }

    @Test
    void aHintSuggestedAndTakenWithinACallLeavesTheShortcutOpen() {
        ShortcutPing.failures = 1;
        ShortcutPing.hint = Duration.ofSeconds(7);

        assertThat(ping.ping("a")).isEqualTo("pong a");

        assertThat(ShortcutPing.ATTEMPTS).hasValue(2);
        assertThat(clock.sleeps()).as("the server's wait, taken by the retry").containsExactly(Duration.ofSeconds(7));
        assertThat(ResilientMethod.quiet()).as("nothing left on any thread").isTrue();
    }

    /**
     * A 9 s hint left by code that never threw is not taken by the thread's next call through the Guice door: it
     * closes the shortcut, so that call asks and forgets it, and its failure waits its own 100 ms.
     */
    @Test
    void aHintLeftUntakenOnTheThreadIsForgottenByItsNextGuiceCallNotTakenByItsFailure() {
        ShortcutPing.failures = 1;
        ShortcutPing.hint = Duration.ofSeconds(7);
        assertThat(ping.ping("a")).isEqualTo("pong a");

        RetryAfter.suggest(Duration.ofSeconds(9)); // left by something that never threw
        assertThat(ResilientMethod.quiet()).as("a hint on this thread").isFalse();
        ShortcutPing.reset();
        ShortcutPing.failures = 1;

        assertThat(ping.ping("b")).isEqualTo("pong b");

        assertThat(ShortcutPing.ATTEMPTS).hasValue(2);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(7), Duration.ofMillis(100));
        assertThat(ResilientMethod.quiet()).as("forgotten by the call's start").isTrue();
    }

    public interface Chat {
        String chat(String prompt);
    }

    private Chat rateLimited(Chat target, String key) {
        return Rebound.wrap(Chat.class, target).withRateLimit(RateLimitPolicy.builder().key(key).requestsPerMinute(60)
                .maxDelay(Duration.ofMillis(100)).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
    }

    @Test
    void aRateLimitedCallKeepsTheShortcutClosedWhileItsAttemptRunsOnly() {
        List<Boolean> quietDuring = new ArrayList<>();
        Chat chat = rateLimited(prompt -> {
            quietDuring.add(ResilientMethod.quiet());
            return "answer";
        }, "guice-shortcut-during");

        assertThat(chat.chat("a")).isEqualTo("answer");

        assertThat(quietDuring).containsExactly(false);
        assertThat(ResilientMethod.quiet()).as("after the rate-limited call").isTrue();
        assertThat(ping.ping("b")).isEqualTo("pong b");
    }

    /**
     * A call through the Guice door nested in a rate-limited attempt opens its own headers scope, though it runs
     * its first attempt without asking anything when nothing else is going on: its client's response (no request
     * left at its provider for a minute) never corrects the enclosing limiter.
     */
    @Test
    void aGuiceCallNestedInARateLimitedAttemptKeepsItsResponseHeadersFromTheEnclosingLimiter() {
        Chat chat = rateLimited(prompt -> "answer with " + ping.embed(prompt), "guice-shortcut-nested-headers");

        assertThat(chat.chat("a")).isEqualTo("answer with vector");
        assertThat(chat.chat("b")).as("1 of 60 requests spent: the second goes at once").isEqualTo("answer with vector");
        assertThat(clock.sleeps()).isEmpty();
    }
}
