package dev.rebound.it.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.testing.GlobalSettingsScope;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** docs/reference/events.md and docs/testing.md: listeners and metrics, run. */
class ListeningGuideTest {

    @Test
    void globalListenersSeeEveryEventOfACallThatFailedOnce() {
        MeterRegistry registry = new SimpleMeterRegistry();
        List<String> audit = new CopyOnWriteArrayList<>();
        ReboundSettings before = ReboundSettings.global();
        try {
            // docs:events-listener
            ReboundSettings.setGlobal(ReboundSettings.builder()
                    .listener(new MicrometerListener(registry))   // metrics (optional micrometer-core)
                    .listener(event -> audit.add(event.kind() + " " + event.method()))
                    // docs-omit
                    .timeSource(new VirtualTimeSource())
                    // /docs-omit
                    .build());                                    // the SLF4J logger stays on unless .logging(false)
            // /docs:events-listener
            GuideChat chat = Rebound.wrap(GuideChat.class,
                    Scripted.failingThenAnswering("gpt-4", new IllegalStateException("503")))
                    .withRetry(RetryPolicy.builder().attempts(2).build()).build();

            assertThat(chat.chat("hi")).isEqualTo("gpt-4: hi");
        } finally {
            ReboundSettings.setGlobal(before);
        }
        assertThat(audit).containsExactly("ATTEMPT_FAILED GuideChat.chat(String)",
                "RETRY_SCHEDULED GuideChat.chat(String)", "SUCCEEDED GuideChat.chat(String)");
        assertThat(registry.get("rebound.calls").tag("outcome", "success_after_retry").counter().count()).isEqualTo(1);
    }

    /** docs/testing.md: a test of code on the global settings sets them in a scope, which other tests wait for. */
    @Test
    void aTestOnTheGlobalSettingsSetsThemInAScope() {
        ReboundSettings before = ReboundSettings.global();
        // a wrapper built without settings(...) reads the global settings, as woven classes do
        GuideChat chat = Rebound.wrap(GuideChat.class,
                Scripted.failingThenAnswering("gpt-4", new IllegalStateException("503")))
                .withRetry(RetryPolicy.builder().attempts(2).build()).build();
        // docs:testing-global-settings
        VirtualTimeSource clock = new VirtualTimeSource();
        List<Kind> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder()
                .timeSource(clock)
                .listener(event -> events.add(event.kind()))
                .build();
        try (GlobalSettingsScope global = GlobalSettingsScope.open(settings)) {   // waits for another test's
            chat.chat("hi");   // woven, made by Guice, or wrapped without settings(...): fails once, then answers

            assertThat(events).containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
            assertThat(clock.sleeps()).hasSize(1);
        }                      // the settings from before are back; the next test's scope may open
        // /docs:testing-global-settings
        assertThat(ReboundSettings.global()).isSameAs(before);
    }

    @Test
    void aTestCountsItsOwnCallsOnAFreshRegistry() {
        Scripted primary = Scripted.failingThenAnswering("gpt-4", new IllegalStateException("503"));
        // docs:testing-metrics
        SimpleMeterRegistry registry = new SimpleMeterRegistry();   // a new registry and listener per test
        ReboundSettings settings = ReboundSettings.builder()
                .timeSource(new VirtualTimeSource())
                .listener(new MicrometerListener(registry))
                .build();
        GuideChat chat = Rebound.wrap(GuideChat.class, primary)
                .withRetry(RetryPolicy.builder().attempts(3).build())
                .settings(settings)
                .build();

        chat.chat("hi");   // fails once, then answers

        assertThat(registry.get("rebound.attempts").counter().count()).isEqualTo(2.0);
        assertThat(registry.get("rebound.calls").tag("outcome", "success_after_retry").counter().count())
                .isEqualTo(1.0);
        // /docs:testing-metrics
    }
}
