// docs:quickstart-test
package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatClientTest {

    @Test
    void retriesTheRemoteModelThreeTimesThenAnswersFromTheFallback() {
        VirtualTimeSource clock = new VirtualTimeSource();   // records the waits, sleeps none
        List<Kind> events = new ArrayList<>();
        ReboundSettings settings = ReboundSettings.builder()
                .timeSource(clock)
                .listener(event -> events.add(event.kind()))
                .logging(false)                               // the events go to the listener only
                .build();
        ChatClient chat = Rebound.wrap(ChatClient.class, new RemoteModel()).settings(settings).build();

        String answer = chat.chat("What is Rebound?");

        assertEquals(new CannedAnswers().chat("What is Rebound?"), answer);
        assertEquals(List.of(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED,
                Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FALLBACK,
                Kind.SUCCEEDED), events);
        List<Duration> waits = clock.sleeps();                // jittered: within [wait/2, wait]
        assertEquals(2, waits.size());
        assertTrue(waits.get(0).toMillis() >= 100 && waits.get(0).toMillis() <= 200, waits::toString);
        assertTrue(waits.get(1).toMillis() >= 200 && waits.get(1).toMillis() <= 400, waits::toString);
    }
}
// /docs:quickstart-test
