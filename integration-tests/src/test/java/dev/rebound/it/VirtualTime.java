package dev.rebound.it;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests: woven classes run on global settings with a virtual clock (no real sleep), a
 * seeded jitter source and an event recorder; the fake LLM is reset.
 */
public abstract class VirtualTime {

    protected VirtualTimeSource clock;
    protected final List<ReboundEvent> events = new CopyOnWriteArrayList<>();
    private ReboundSettings saved;

    @BeforeEach
    void installVirtualTime() {
        FakeLlm.reset();
        saved = ReboundSettings.global();
        clock = new VirtualTimeSource();
        ReboundSettings.setGlobal(saved.toBuilder().timeSource(clock).random(new Random(42))
                .listener(events::add).build());
    }

    @AfterEach
    void restoreSettings() {
        ReboundSettings.setGlobal(saved);
    }

    /** The kinds of the recorded events, in order. */
    protected List<ReboundEvent.Kind> kinds() {
        return events.stream().map(ReboundEvent::kind).toList();
    }
}
