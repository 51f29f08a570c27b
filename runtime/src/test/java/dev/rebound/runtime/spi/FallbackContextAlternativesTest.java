package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link FallbackContext#alternatives()} lists the class each alternative stands for, known without its instance:
 * the class {@code @Fallback.to} names, or the user's class of an instance given to {@code withFallbacks}, never a
 * subclass a container or library generated over it (whose name changes from run to run).
 */
class FallbackContextAlternativesTest {

    final List<ReboundEvent> events = new CopyOnWriteArrayList<>();
    final ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
            .listener(events::add).build();

    public interface Chat {
        String chat(String prompt);
    }

    public static class Backup implements Chat {
        @Override
        public String chat(String prompt) {
            return "backup: " + prompt;
        }
    }

    /** Lists its alternatives' classes as the handler sees them, then calls the first. */
    public static final class Lists implements FallbackHandler {
        static final List<Class<?>> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public Object handle(FallbackContext call) throws Throwable {
            SEEN.addAll(call.alternatives());
            return call.call(SEEN.get(0), call.arguments());
        }
    }

    public static class Annotated implements Chat {
        @Override
        @Retry(attempts = 2, delay = 0)
        @Fallback(to = Backup.class, handler = Lists.class)
        public String chat(String prompt) {
            throw new IllegalStateException("down");
        }
    }

    /**
     * A container's resolver gives the @Fallback.to class as its generated subclass: the handler is shown the class
     * @Fallback.to lists, the same in every run, and calls it by that class.
     */
    @Test
    void alternativesListsTheClassFallbackToNamesNotTheContainersGeneratedSubclass() {
        Lists.SEEN.clear();
        ReboundSettings resolving = settings.toBuilder()
                .alternatives(type -> type == Backup.class ? new Backup$$EnhancerByGuice$$5e6f() : null).build();
        Chat chat = Rebound.wrap(Chat.class, (Chat) new Annotated()).settings(resolving).build();

        assertThat(chat.chat("q")).isEqualTo("backup: q");

        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .containsExactly("Lists", "Backup");
        assertThat(Lists.SEEN).containsExactly(Backup.class);
    }

    /** Through withFallbacks: a Mockito-like subclass of Backup is listed as what it stands for, and called so. */
    @Test
    void alternativesOfWithFallbacksListTheUserClassOfAMock() {
        List<Class<?>> seen = new ArrayList<>();
        Chat chat = Rebound.wrap(Chat.class, (Chat) p -> {
            throw new IllegalStateException("down");
        }).withRetry(RetryPolicy.none()).withFallbacks(new Backup$MockitoMock$77()).withFallbackHandler(call -> {
            seen.addAll(call.alternatives());
            return call.call(seen.get(0), call.arguments());
        }).settings(settings).build();

        assertThat(chat.chat("q")).isEqualTo("backup: q");

        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .endsWith("Backup");
        assertThat(seen).containsExactly(Backup.class);
    }

    /** Lists its alternatives and answers itself. */
    public static final class Answers implements FallbackHandler {
        static final List<Class<?>> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public Object handle(FallbackContext call) {
            SEEN.addAll(call.alternatives());
            return "handled";
        }
    }

    public static class AnsweredByHandler implements Chat {
        @Override
        @Fallback(to = Backup.class, handler = Answers.class)
        public String chat(String prompt) {
            throw new IllegalStateException("down");
        }
    }

    /** A resolver that gives no instance: the handler is still shown the class @Fallback.to lists. */
    @Test
    void alternativesListsAnAlternativeTheResolverGaveNoInstanceFor() {
        Answers.SEEN.clear();
        Chat chat = Rebound.wrap(Chat.class, (Chat) new AnsweredByHandler())
                .settings(settings.toBuilder().alternatives(type -> null).build()).build();

        assertThat(chat.chat("q")).isEqualTo("handled");

        assertThat(Answers.SEEN).containsExactly(Backup.class);
    }
}
