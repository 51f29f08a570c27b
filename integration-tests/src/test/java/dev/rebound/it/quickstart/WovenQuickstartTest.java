package dev.rebound.it.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.GlobalSettingsScope;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's step-6 test once the quickstart's classes are woven (aspectj.md): the woven class runs
 * on the global settings, so the test sets them; and the step-6 test as written, whose wrapper's
 * settings a woven object does not take, sees none of its events.
 */
class WovenQuickstartTest {

    // docs:woven-quickstart-test
    @Test
    void retriesTheWovenRemoteModelThreeTimesThenAnswersFromTheFallback() {
        VirtualTimeSource clock = new VirtualTimeSource();   // records the waits, sleeps none
        List<Kind> events = new ArrayList<>();
        ReboundSettings settings = ReboundSettings.builder()
                .timeSource(clock)
                .listener(event -> events.add(event.kind()))
                .logging(false)
                .build();
        // woven classes run on the global settings: this test's until the scope closes, no other test's
        try (GlobalSettingsScope global = GlobalSettingsScope.open(settings)) {
            String answer = new RemoteModel().chat("What is Rebound?");   // woven: no Rebound.wrap

            assertEquals(new CannedAnswers().chat("What is Rebound?"), answer);
            assertEquals(List.of(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED,
                    Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FALLBACK,
                    Kind.SUCCEEDED), events);
            List<Duration> waits = clock.sleeps();            // jittered: within [wait/2, wait]
            assertEquals(2, waits.size());
            assertTrue(waits.get(0).toMillis() >= 100 && waits.get(0).toMillis() <= 200, waits::toString);
            assertTrue(waits.get(1).toMillis() >= 200 && waits.get(1).toMillis() <= 400, waits::toString);
        }                                                     // the next test gets the settings it had
    }
    // /docs:woven-quickstart-test

    /** Why: the step-6 test as written hands its settings to a wrapper that a woven object does not take. */
    @Test
    void aWrappersSettingsAreNotTheWovenClasssSoTheStep6TestSeesNoEvent() {
        VirtualTimeSource clock = new VirtualTimeSource();
        List<Kind> events = new ArrayList<>();
        VirtualTimeSource globalClock = new VirtualTimeSource();
        try (GlobalSettingsScope global = GlobalSettingsScope.open(
                ReboundSettings.builder().timeSource(globalClock).logging(false).build())) {
            ChatClient chat = Rebound.wrap(ChatClient.class, new RemoteModel())
                    .settings(ReboundSettings.builder().timeSource(clock).listener(e -> events.add(e.kind()))
                            .logging(false).build())
                    .build();

            assertEquals(new CannedAnswers().chat("q"), chat.chat("q"));
            assertTrue(chat instanceof RemoteModel, chat.getClass()::getName);   // the woven object as it is
            assertEquals(List.of(), events);
            assertEquals(List.of(), clock.sleeps());
            assertEquals(2, globalClock.sleeps().size());     // its waits are the global settings'
        }
    }
}
