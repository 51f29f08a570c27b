package dev.rebound.ltw;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.ltw.app.Chat;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Woven classes run on global settings: a virtual clock and seeded jitter here; the fake LLM is reset. */
abstract class VirtualClock {

    protected VirtualTimeSource clock;
    private ReboundSettings saved;

    @BeforeEach
    void installVirtualClock() {
        FakeLlm.reset();
        saved = ReboundSettings.global();
        clock = new VirtualTimeSource();
        ReboundSettings.setGlobal(saved.toBuilder().timeSource(clock).random(new Random(42)).build());
    }

    @AfterEach
    void restoreSettings() {
        ReboundSettings.setGlobal(saved);
    }

    /** Whether the aspect was woven into {@code type} (its declare parents adds the marker). */
    static boolean woven(Class<?> type) {
        return Woven.class.isAssignableFrom(type);
    }

    /** A {@link Chat} from an injector with ReboundModule, bound to {@link Chat.Primary}. */
    static Chat chatFromInjector() {
        return Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Chat.class).to(Chat.Primary.class);
            }
        }).getInstance(Chat.class);
    }
}
