package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import dev.rebound.it.plain.generated.Asker;
import dev.rebound.it.plain.generated.Odd$$Plain;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.List;
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
}
