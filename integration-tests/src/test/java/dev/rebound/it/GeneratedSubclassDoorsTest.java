package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provider;
import dev.rebound.it.plain.generated.Asker;
import dev.rebound.it.plain.generated.Odd$$Plain;
import dev.rebound.it.plain.generated.Picky;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Generated subclasses and user classes named like them, through the doors (javac-only classes, real Guice). */
class GeneratedSubclassDoorsTest extends VirtualTime {

    private List<String> failedTargets() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).map(ReboundEvent::target)
                .distinct().toList();
    }

    /**
     * A user's top-level class named with $$ (javac alone, its own @Retry): its policy applies in both doors (3
     * attempts), and both name it Odd$$Plain, never the class above it.
     */
    @Test
    void wrapAndGuiceNameAJavacClassNamedWithDollarsAlike() {
        Asker wrapped = Rebound.wrap(Asker.class, new Odd$$Plain()).build();
        assertThat(catchThrowable(() -> wrapped.ask("q"))).hasMessage("odd down");
        assertThat(wrapped.calls()).isEqualTo(3);
        assertThat(failedTargets()).containsExactly("Odd$$Plain");

        events.clear();
        Odd$$Plain injected = Guice.createInjector(new ReboundModule()).getInstance(Odd$$Plain.class);
        assertThat(catchThrowable(() -> injected.ask("q"))).hasMessage("odd down");
        assertThat(injected.calls()).isEqualTo(3);
        assertThat(failedTargets()).containsExactly("Odd$$Plain");
    }

    /**
     * A handler calling one alternative by class makes that one only: the other's provider, which fails, is never
     * asked, and alternatives() lists both classes without making either.
     */
    @Test
    void aHandlerCallingAnAlternativeByClassNeverAsksAnotherAlternativesProvider() {
        Picky.PicksSteady.SEEN.clear();
        AtomicInteger flakyAsked = new AtomicInteger();
        Picky picky = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Picky.Flaky.class).toProvider((Provider<Picky.Flaky>) () -> {
                    flakyAsked.incrementAndGet();
                    throw new IllegalStateException("no flaky today");
                });
            }
        }).getInstance(Picky.class);

        assertThat(picky.answer("q")).isEqualTo("steady: q");

        assertThat(flakyAsked).hasValue(0);
        assertThat(Picky.PicksSteady.SEEN).containsExactly(Picky.Flaky.class, Picky.Steady.class);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .containsExactly("PicksSteady", "Steady");
    }
}
