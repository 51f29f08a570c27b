package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * One test tells a subclass generated at run time from a user's class, whatever their names: the generated one is
 * read and named as the user's class above it; a user's class named like one keeps its own name and policies.
 */
class GeneratedSubclassesTest {

    public interface Chat {
        String chat(String prompt);
    }

    /** The user's class: its own policy. */
    public static class Backend implements Chat {
        int calls;

        @Override
        @Retry(attempts = 2, delay = 0)
        public String chat(String prompt) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    /** A user's nested class whose binary name holds {@code $$} (GeneratedSubclassesTest$$$Own): its own policy. */
    public static class $$Own extends Backend {
        @Override
        @Retry(attempts = 3, delay = 0)
        public String chat(String prompt) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    @Test
    void aSubclassALibraryGeneratedIsTheUserClassAboveIt() {
        for (Class<?> generated : List.of(Backend$$EnhancerByGuice$$1a2b.class, Backend$MockitoMock$1021.class,
                Backend$HibernateProxy$x7Q.class, Backend$$OwbNormalScopeProxy0.class,
                Backend$MockitoMock$Copied.class)) {
            assertThat(GeneratedSubclasses.isGenerated(generated)).as(generated.getName()).isTrue();
            assertThat(GeneratedSubclasses.userClass(generated)).as(generated.getName()).isEqualTo(Backend.class);
        }
    }

    @Test
    void aUserClassNamedLikeOneIsItsOwn() {
        assertThat($$Own.class.getName()).endsWith("GeneratedSubclassesTest$$$Own");
        assertThat(GeneratedSubclasses.isGenerated($$Own.class)).isFalse();
        assertThat(GeneratedSubclasses.userClass($$Own.class)).isEqualTo($$Own.class);
        assertThat(GeneratedSubclasses.isGenerated(Backend.class)).isFalse();
        Runnable lambda = () -> { };
        assertThat(GeneratedSubclasses.userClass(lambda.getClass())).isEqualTo(lambda.getClass());
    }

    /**
     * A bare {@code $$} is a generator's only when the class declares no Rebound annotation of its own: a user's
     * top-level {@code Odd$$Plain} with its own {@code @Retry} is the user's; a generator's own mark wins over the
     * annotations a mock copies.
     */
    @Test
    void aTopLevelUserClassNamedWithABareDollarPairThatCarriesItsOwnPolicyIsItsOwn() {
        assertThat(GeneratedSubclasses.isGenerated(Odd$$Plain.class)).isFalse();
        assertThat(GeneratedSubclasses.userClass(Odd$$Plain.class)).isEqualTo(Odd$$Plain.class);
        assertThat(GeneratedSubclasses.isGenerated(Backend$$OwbNormalScopeProxy0.class)).isTrue();
        assertThat(GeneratedSubclasses.isGenerated(Backend$MockitoMock$Copied.class)).isTrue();
    }

    @Test
    void aUserClassNamedWithABareDollarPairKeepsItsNameAndPolicyThroughWrap() {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(events::add).build();
        Odd$$Plain odd = new Odd$$Plain();
        Chat wrapped = Rebound.wrap(Chat.class, odd).settings(settings).build();

        assertThat(catchThrowable(() -> wrapped.chat("p"))).hasMessage("down");

        assertThat(odd.calls).isEqualTo(3);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("Odd$$Plain");
    }

    @Test
    void eventsNameAGeneratedSubclassByTheUserClassAndAUserClassByItsOwnName() {
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(events::add).build();

        Chat mock = Rebound.wrap(Chat.class, new Backend$MockitoMock$1021()).settings(settings).build();
        assertThat(catchThrowable(() -> mock.chat("p"))).hasMessage("down");
        assertThat(events).extracting(ReboundEvent::target).containsOnly("Backend");

        events.clear();
        $$Own own = new $$Own();
        Chat wrapped = Rebound.wrap(Chat.class, own).settings(settings).build();
        assertThat(catchThrowable(() -> wrapped.chat("p"))).hasMessage("down");
        assertThat(own.calls).isEqualTo(3);
        assertThat(events).extracting(ReboundEvent::target).containsOnly("$$Own");
    }
}
